package dev.ctshift.io.sanity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import dev.ctshift.io.Scan;
import dev.ctshift.io.dicom.DicomDerivedWriter;
import dev.ctshift.io.ScanReader;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The checks a scan passes before any model runs, on the probe inputs of issue 22. */
class ScanCheckTest {
  static Volume phantom;

  @BeforeAll
  static void readPhantom() throws Exception {
    phantom = Inputs.phantom();
  }

  static List<String> warnings = new ArrayList<>();

  static Scan check(Scan s, InputPolicy policy) throws InputRefusedException {
    warnings.clear();
    return ScanCheck.check(s, policy, warnings::add);
  }

  static InputRefusedException refused(Volume v, String name) {
    return assertThrows(InputRefusedException.class, () -> check(Inputs.scan(name, v), InputPolicy.DEFAULT));
  }

  @Test
  void everyBundledSampleAndRealScanPasses() throws Exception {
    List<Path> scans = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("samples"))) {
      s.filter(p -> p.toString().endsWith(".nii.gz") && !p.toString().contains("_labels")).forEach(scans::add);
    }
    List<Path> labelMaps = new ArrayList<>();
    Path real = Path.of("..", "shared", "data", "real");
    if (Files.isDirectory(real)) {
      try (Stream<Path> s = Files.list(real)) {
        s.filter(p -> p.toString().endsWith(".nii.gz") || Files.isDirectory(p))
            .forEach(p -> (p.getFileName().toString().contains("labels") ? labelMaps : scans).add(p));
      }
    }
    assertTrue(scans.size() >= 5, scans.toString());
    for (Path p : scans) {
      Scan s = ScanReader.read(p, null, x -> { });
      assertTrue(check(s, InputPolicy.DEFAULT) == s, p.toString());
      assertEquals(List.of(), warnings, p.toString());
    }
    // A label map given by mistake (integers 0..N, no air) is not CT in HU.
    for (Path p : labelMaps) {
      Scan s = ScanReader.read(p, null, x -> { });
      InputRefusedException e = assertThrows(InputRefusedException.class, () -> check(s, InputPolicy.DEFAULT));
      assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("Hounsfield"), e.getMessage());
    }
  }

  @Test
  void uint8WindowedPhantomIsRefusedAndRescaleOrAssumeHuGetPastTheCheck() throws Exception {
    Volume u8 = Inputs.windowedUint8(phantom, -1000, 1000);
    InputRefusedException e = refused(u8, "lidc-like.nii.gz");
    assertTrue(e.getMessage().startsWith("lidc-like.nii.gz: "), e.getMessage());
    assertTrue(e.getMessage().contains("values 0.."), e.getMessage());
    assertTrue(e.getMessage().contains("0.000% of voxels below -500"), e.getMessage());
    assertTrue(e.getMessage().contains("--rescale") && e.getMessage().contains("--assume-hu"), e.getMessage());

    double slope = 2000 / 255.0;
    Scan rescaled = check(Inputs.scan("lidc-like.nii.gz", u8), new InputPolicy(false,
        new InputPolicy.Rescale(slope, -1000), false));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("approximate"), warnings.toString());
    float[] hu = rescaled.hu().data();
    for (int i = 0; i < hu.length; i += 97) {
      assertEquals(slope * u8.data()[i] - 1000, hu[i], 1e-3);
      // Within half a uint8 step of the phantom, where the window did not clip it.
      double original = phantom.data()[i];
      if (original > -1000 && original < 1000) {
        assertEquals(original, hu[i], slope / 2 + 1e-3);
      }
    }

    Scan assumed = check(Inputs.scan("lidc-like.nii.gz", u8), new InputPolicy(true, null, false));
    assertTrue(assumed.hu() == u8);
    assertTrue(warnings.get(0).contains("--assume-hu"), warnings.toString());
  }

  static Stream<Arguments> notHu() {
    return Stream.of(
        Arguments.of("mr-0-4000", (Probe) v -> Inputs.mrLike(v, 0, 4000), "below -500"),
        Arguments.of("mr-610-30393", (Probe) v -> Inputs.mrLike(v, -610, 30393), "top 0.1% of values reach"),
        Arguments.of("hu-plus-1024", (Probe) v -> Inputs.map(v, x -> x + 1024), "below -500"),
        Arguments.of("slope-1000", (Probe) v -> Inputs.map(v, x -> x * 1000), "lowest 0.5% of values reach"),
        // A DICOM series read as unsigned although stored signed: -1024 becomes 64512.
        Arguments.of("unsigned-read", (Probe) v -> Inputs.map(v, x -> x < 0 ? x + 65536 : x), "below -500"));
  }

  interface Probe {
    Volume make(Volume hu);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notHu")
  void valuesThatAreNotHuAreRefused(String name, Probe probe, String rule) {
    InputRefusedException e = refused(probe.make(phantom), name + ".nii.gz");
    assertTrue(e.getMessage().startsWith(name + ".nii.gz: does not look like CT in Hounsfield units"),
        e.getMessage());
    assertTrue(e.getMessage().contains(rule), e.getMessage());
  }

  @Test
  void nanAndInfiniteVoxelsAreRefusedEvenWithAssumeHu() {
    Volume nan = Inputs.spoilt(phantom, 1000, Float.NaN);
    InputRefusedException e = assertThrows(InputRefusedException.class,
        () -> check(Inputs.scan("nan.nii.gz", nan), new InputPolicy(true, null, false)));
    assertTrue(e.getMessage().startsWith("nan.nii.gz: 1000 of " + phantom.voxelCount()
        + " voxels are NaN or infinite (the first at voxel 0,0,0: NaN)"), e.getMessage());
    e = refused(Inputs.spoilt(phantom, 3, Float.NEGATIVE_INFINITY), "inf.nii.gz");
    assertTrue(e.getMessage().contains("3 of"), e.getMessage());
    float[] allNan = new float[phantom.voxelCount()];
    Arrays.fill(allNan, Float.NaN);
    e = refused(phantom.withData(allNan), "all-nan.nii.gz");
    assertTrue(e.getMessage().contains(phantom.voxelCount() + " of " + phantom.voxelCount()), e.getMessage());
  }

  @Test
  void constantAndNearlyEmptyVolumesAreRefused() throws Exception {
    InputRefusedException e = refused(Inputs.map(phantom, x -> -1000), "air.nii.gz");
    assertTrue(e.getMessage().contains("every voxel is -1000 (a constant volume)"), e.getMessage());
    Random r = new Random(3);
    Volume noisyAir = Inputs.map(phantom, x -> -1000 + 20 * r.nextGaussian());
    e = refused(noisyAir, "noisy-air.nii.gz");
    assertTrue(e.getMessage().contains("nearly empty: 0.000% of the voxels lie above -500 HU"), e.getMessage());
    // --assume-hu: the user vouches for the values; both become warnings.
    Scan s = Inputs.scan("noisy-air.nii.gz", noisyAir);
    assertTrue(ScanCheck.check(s, new InputPolicy(true, null, false), warnings::add) == s);
    assertTrue(warnings.get(warnings.size() - 1).contains("--assume-hu: noisy-air.nii.gz: nearly empty"),
        warnings.toString());
  }

  @Test
  void aSingleSliceIsRefused() {
    double[][] eye = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    float[] slice = Arrays.copyOf(phantom.data(), phantom.nx() * phantom.ny());
    InputRefusedException e = refused(new Volume(phantom.nx(), phantom.ny(), 1, slice, eye), "slice.nii.gz");
    assertTrue(e.getMessage().contains("is a single slice (" + phantom.nx() + "x" + phantom.ny() + "x1 voxels)"),
        e.getMessage());
  }

  interface Patch {
    void apply(AttributeList header, int fileIndex) throws Exception;
  }

  /** The phantom as a DICOM CT series (int16, rescale 1/0, RescaleType HU), each file patched. */
  static Path dicomSeries(Path dir, Patch patch) throws Exception {
    DicomDerivedWriter.write(dir, null, phantom, "phantom", s -> { });
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    for (int n = 0; n < files.size(); n++) {
      AttributeList l = new AttributeList();
      l.read(files.get(n).toString());
      patch.apply(l, n);
      l.write(files.get(n).toString(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    }
    return dir;
  }

  static void put(AttributeList l, Attribute a, String value) throws Exception {
    a.addValue(value);
    l.put(a);
  }

  @Test
  void dicomWithoutModalityOrWithMixedRescalesGetsANotice(@TempDir Path tmp) throws Exception {
    Path noModality = dicomSeries(tmp.resolve("no-modality"), (l, n) -> l.remove(TagFromName.Modality));
    Scan s = ScanReader.read(noModality, null, x -> { });
    check(s, InputPolicy.DEFAULT);
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("has no Modality; read as CT because its SOP class is a CT image"),
        warnings.toString());

    Path mixed = dicomSeries(tmp.resolve("mixed"), (l, n) -> {
      if (n == 0) {
        put(l, new DecimalStringAttribute(TagFromName.RescaleIntercept), "-24");
      }
    });
    check(ScanReader.read(mixed, null, x -> { }), InputPolicy.DEFAULT);
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("have different rescales (slope 1.0, intercept -24.0: 1 images, slope 1.0,"
        + " intercept 0.0: " + (phantom.nz() - 1) + " images)"), warnings.toString());
  }

  @Test
  void aRescaleTypeOtherThanHuIsRefusedUnlessAssumed(@TempDir Path tmp) throws Exception {
    Path us = dicomSeries(tmp.resolve("us"), (l, n) -> put(l, new LongStringAttribute(TagFromName.RescaleType), "US"));
    Scan s = ScanReader.read(us, null, x -> { });
    InputRefusedException e = assertThrows(InputRefusedException.class, () -> check(s, InputPolicy.DEFAULT));
    assertTrue(e.getMessage().contains("RescaleType US, expected HU"), e.getMessage());
    check(s, new InputPolicy(true, null, false));
    assertTrue(warnings.get(0).contains("RescaleType US"), warnings.toString());
  }

  @Test
  void profilePercentilesMatchAFullSort() {
    Random r = new Random(7);
    float[] v = new float[50_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * 500 - 300);
    }
    v[10] = Float.NaN;
    HuProfile p = HuProfile.of(v);
    float[] finite = new float[v.length - 1];
    int n = 0;
    long below = 0;
    for (float x : v) {
      if (!Float.isNaN(x)) {
        finite[n++] = x;
        below += x < -500 ? 1 : 0;
      }
    }
    Arrays.sort(finite);
    assertEquals(1, p.nonFinite());
    assertEquals(10, p.firstNonFinite());
    assertEquals(finite[0], p.min(), 0);
    assertEquals(finite[finite.length - 1], p.max(), 0);
    assertEquals(finite[(int) Math.floor(0.005 * finite.length)], p.low(), 0);
    assertEquals(finite[(int) Math.floor(0.999 * finite.length)], p.high(), 0);
    assertEquals(below / (double) finite.length, p.belowMinus500(), 1e-12);
  }
}
