package dev.ctshift.report.render;

import dev.ctshift.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes a PNG atomically (temporary sibling file, then rename). */
public final class PngWriter {
  private PngWriter() {}

  /**
   * Writes {@code image} as PNG to {@code file}, creating parent directories; an existing file is
   * replaced only once the new one is complete.
   *
   * @throws IOException if the file cannot be written (message names the file)
   */
  public static void write(Path file, BufferedImage image) throws IOException {
    try {
      AtomicFiles.write(file, out -> {
        if (!ImageIO.write(image, "png", out)) {
          throw new IOException("no PNG writer for image type " + image.getType());
        }
      });
    } catch (IOException e) {
      throw new IOException("cannot write PNG " + file + ": " + e.getMessage(), e);
    }
  }
}
