package dev.ctshift.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's Chromium, headless, driven through the DevTools protocol over the JDK's WebSocket client
 * (no WebDriver, no extra dependency). Tests that use it skip, with the reason, only when Chromium is
 * not installed or cannot start.
 *
 * <pre>{@code
 * try (HeadlessChromium browser = HeadlessChromium.startOrSkip();
 *      HeadlessChromium.Page page = browser.open(file)) {
 *   page.waitFor("document.body.dataset.ready === 'true'");
 *   assertTrue(page.consoleErrors().isEmpty());
 * }
 * }</pre>
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final Map<String, Page> pages = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** Starts Chromium, or skips the calling test (with the reason) if it is missing or cannot start. */
  public static HeadlessChromium startOrSkip() throws Exception {
    Path binary = Stream.of(System.getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser")
        .filter(s -> s != null && !s.isEmpty()).map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
    Assumptions.assumeTrue(binary != null, "Chromium is not installed (scripts/setup installs Debian's chromium)");
    Path profile = Files.createTempDirectory("ctshift-chromium-");
    Path log = profile.resolve("chromium.log");
    Process p = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--remote-debugging-port=0", "--remote-allow-origins=*",
        "--window-size=1400,1300", "--user-data-dir=" + profile, "about:blank")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        String output = Files.exists(log) ? Files.readString(log) : "";
        FileTrees.delete(profile);
        Assumptions.abort("Chromium cannot start: " + (p.isAlive() ? "no DevTools port after 20 s" : "exited "
            + p.exitValue()) + "\n" + output);
      }
      Thread.sleep(50);
    }
    List<String> lines = Files.readAllLines(portFile);
    URI uri = URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
    HeadlessChromium[] self = new HeadlessChromium[1];
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
        .buildAsync(uri, new Listener(m -> self[0].dispatch(m))).get(30, TimeUnit.SECONDS);
    self[0] = new HeadlessChromium(p, profile, ws);
    return self[0];
  }

  /** Opens {@code file} in a new tab, recording console errors, exceptions and every request. */
  public Page open(Path file) throws Exception {
    String targetId = call(null, "Target.createTarget", obj("url", "about:blank")).get("targetId").getAsString();
    JsonObject attach = obj("targetId", targetId);
    attach.addProperty("flatten", true);
    String session = call(null, "Target.attachToTarget", attach).get("sessionId").getAsString();
    Page page = new Page(targetId, session);
    pages.put(session, page);
    for (String domain : List.of("Runtime", "Log", "Network", "Page")) {
      call(session, domain + ".enable", new JsonObject());
    }
    call(session, "Page.navigate", obj("url", file.toUri().toString()));
    return page;
  }

  /** One tab. */
  public final class Page implements AutoCloseable {
    private final String targetId;
    private final String session;
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private Page(String targetId, String session) {
      this.targetId = targetId;
      this.session = session;
    }

    /** Console errors, uncaught exceptions and log entries of level error, in order. */
    public List<String> consoleErrors() {
      return List.copyOf(errors);
    }

    /** URL of every request the page made, the page itself included. */
    public List<String> requests() {
      return List.copyOf(requests);
    }

    /** The value of a JavaScript expression (promises awaited), as JSON. */
    public JsonElement eval(String expression) throws Exception {
      JsonObject p = obj("expression", expression);
      p.addProperty("returnByValue", true);
      p.addProperty("awaitPromise", true);
      JsonObject r = call(session, "Runtime.evaluate", p);
      if (r.has("exceptionDetails")) {
        throw new AssertionError("JavaScript failed: " + r.get("exceptionDetails"));
      }
      JsonObject result = r.getAsJsonObject("result");
      return result.has("value") ? result.get("value") : null;
    }

    /**
     * Waits until {@code condition} (JavaScript) is true, or fails with the errors seen so far. While
     * the page is still loading the condition may throw (an element not parsed yet): that counts as
     * not yet true.
     */
    public void waitFor(String condition) throws Exception {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      AssertionError last = null;
      while (System.nanoTime() < deadline) {
        try {
          JsonElement v = eval("Boolean(" + condition + ")");
          if (v != null && v.getAsBoolean()) {
            return;
          }
        } catch (AssertionError e) {
          last = e;
        }
        Thread.sleep(50);
      }
      throw new AssertionError("timed out waiting for " + condition + "; console errors: " + errors
          + (last == null ? "" : "; last evaluation: " + last.getMessage()));
    }

    /** A real mouse click (press and release) at page coordinates in CSS pixels. */
    public void click(double x, double y) throws Exception {
      for (String type : List.of("mousePressed", "mouseReleased")) {
        JsonObject e = obj("type", type);
        e.addProperty("x", x);
        e.addProperty("y", y);
        e.addProperty("button", "left");
        e.addProperty("clickCount", 1);
        call(session, "Input.dispatchMouseEvent", e);
      }
    }

    /** A key press (down and up) on the focused element, e.g. "ArrowLeft". */
    public void press(String key) throws Exception {
      for (String type : List.of("rawKeyDown", "keyUp")) {
        JsonObject e = obj("type", type);
        e.addProperty("key", key);
        e.addProperty("code", key);
        e.addProperty("windowsVirtualKeyCode", switch (key) {
          case "ArrowLeft" -> 37;
          case "ArrowRight" -> 39;
          default -> 0;
        });
        call(session, "Input.dispatchKeyEvent", e);
      }
    }

    /** A PNG of the whole page. */
    public byte[] screenshot() throws Exception {
      JsonObject p = obj("format", "png");
      p.addProperty("captureBeyondViewport", true);
      return Base64.getDecoder().decode(call(session, "Page.captureScreenshot", p).get("data").getAsString());
    }

    private void event(String method, JsonObject params) {
      switch (method) {
        case "Runtime.consoleAPICalled" -> {
          if (params.get("type").getAsString().equals("error")) {
            errors.add("console.error: " + params.get("args"));
          }
        }
        case "Runtime.exceptionThrown" -> errors.add("exception: " + params.get("exceptionDetails"));
        case "Log.entryAdded" -> {
          JsonObject entry = params.getAsJsonObject("entry");
          if (entry.get("level").getAsString().equals("error")) {
            errors.add("log: " + entry.get("text").getAsString() + " " + entry.get("url"));
          }
        }
        case "Network.requestWillBeSent" -> requests.add(params.getAsJsonObject("request").get("url").getAsString());
        default -> { }
      }
    }

    @Override
    public void close() throws Exception {
      call(null, "Target.closeTarget", obj("targetId", targetId));
      pages.remove(session);
    }
  }

  private JsonObject call(String session, String method, JsonObject params) throws Exception {
    int id = ids.incrementAndGet();
    JsonObject m = new JsonObject();
    m.addProperty("id", id);
    m.addProperty("method", method);
    m.add("params", params);
    if (session != null) {
      m.addProperty("sessionId", session);
    }
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    pending.put(id, f);
    socket.sendText(m.toString(), true).get(30, TimeUnit.SECONDS);
    JsonObject reply = f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new IllegalStateException(method + " failed: " + reply.get("error"));
    }
    return reply.getAsJsonObject("result");
  }

  private void dispatch(String text) {
    JsonObject m = JsonParser.parseString(text).getAsJsonObject();
    if (m.has("id")) {
      CompletableFuture<JsonObject> f = pending.remove(m.get("id").getAsInt());
      if (f != null) {
        f.complete(m);
      }
    } else if (m.has("sessionId")) {
      Page page = pages.get(m.get("sessionId").getAsString());
      if (page != null) {
        page.event(m.get("method").getAsString(), m.has("params") ? m.getAsJsonObject("params") : new JsonObject());
      }
    }
  }

  private static JsonObject obj(String key, String value) {
    JsonObject o = new JsonObject();
    o.addProperty(key, value);
    return o;
  }

  @Override
  public void close() throws Exception {
    try {
      socket.sendText("{\"id\":0,\"method\":\"Browser.close\"}", true).get(5, TimeUnit.SECONDS);
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // The browser is killed below either way.
    } finally {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
      FileTrees.delete(profile);
    }
  }

  /** Collects text frames (which may arrive in parts) and hands each whole message on. */
  private static final class Listener implements WebSocket.Listener {
    private final java.util.function.Consumer<String> sink;
    private final StringBuilder partial = new StringBuilder();

    Listener(java.util.function.Consumer<String> sink) {
      this.sink = sink;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String message = partial.toString();
        partial.setLength(0);
        sink.accept(message);
      }
      ws.request(1);
      return null;
    }
  }
}
