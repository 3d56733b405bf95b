package dev.ctshift.phantom;

import static dev.ctshift.phantom.LabelStats.centroid;
import static dev.ctshift.phantom.LabelStats.count;
import static dev.ctshift.phantom.LabelStats.median;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Anatomical layout and tissue HU over several subjects. */
class PhantomAnatomyTest {
  private static final int N = 96;
  private static final int NZ = 32;
  private static final Findings FINDINGS = new Findings(EffusionSide.BOTH, 0.2, 1.1, List.of(14.0));

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void huInsideMasksMatchesTissueDespiteNoise(long seed) {
    Phantom p = new PhantomGenerator(PhantomConfig.defaults().withGrid(N, NZ, 3.6, 5)).generate("a", seed, FINDINGS);
    float[] hu = p.ct().data();
    float[] l = p.labels().data();
    double noise = p.attributes().noiseHu();
    double blood = p.attributes().bloodHu();
    double lung = median(hu, l, Phantom.LUNG);
    assertTrue(lung > -900 && lung < -760, "lung median " + lung);
    double fluid = median(hu, l, Phantom.EFFUSION);
    assertTrue(fluid > -5 && fluid < 30, "effusion median " + fluid + " (noise " + noise + ")");
    double heart = median(hu, l, Phantom.HEART);
    assertTrue(heart > Math.min(45, blood) - 10 && heart < Math.max(55, blood) + 10,
        "heart median " + heart + " blood " + blood);
    double nodule = median(hu, l, Phantom.NODULE);
    assertTrue(nodule > 0 && nodule < 50, "nodule median " + nodule);
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13})
  void lungsFlankTheMidlineSpineIsPosteriorTableIsBelow(long seed) {
    PhantomConfig clean = PhantomConfig.defaults().withGrid(N, NZ, 3.6, 5).withImageQuality(0, 0);
    Phantom p = new PhantomGenerator(clean).generate("a", seed, FINDINGS);
    float[] hu = p.ct().data();
    float[] l = p.labels().data();
    int k = NZ / 2;
    // Midline: centroid of everything denser than air in the middle slice (body and table, which is
    // centred under the patient).
    double sum = 0;
    int dense = 0;
    for (int j = 0; j < N; j++) {
      for (int i = 0; i < N; i++) {
        if (hu[p.ct().index(i, j, k)] > -500) {
          sum += i;
          dense++;
        }
      }
    }
    int mid = (int) Math.round(sum / dense);

    int lungTotal = count(l, Phantom.LUNG);
    int right = 0;
    int left = 0;
    for (int v : LabelStats.indices(l, Phantom.LUNG)) {
      right += v % N > mid + 2 ? 1 : 0;
      left += v % N < mid - 2 ? 1 : 0;
    }
    assertTrue(right > 0.3 * lungTotal && left > 0.3 * lungTotal, "left " + left + " right " + right);
    // Heart: patient's left (lower i) and anterior of the lung centroid.
    assertTrue(centroid(l, Phantom.HEART, N, N, 0) < mid);
    double lungJ = centroid(l, Phantom.LUNG, N, N, 1);
    assertTrue(centroid(l, Phantom.HEART, N, N, 1) > lungJ);

    // Table: in the midline column, below the lowest soft tissue of the body, there is a dense
    // plate; nothing under the body carries a label.
    int bodyLow = -1;
    for (int j = 0; j < N && bodyLow < 0; j++) {
      float v = hu[p.ct().index(mid, j, k)];
      if (v > -200 && v < 100) {
        bodyLow = j;
      }
    }
    assertTrue(bodyLow > 0, "no soft tissue in the midline column");
    // Spine: bone in the midline band inside the body and behind (lower j than) the lung centroid.
    int spine = 0;
    int spineLow = N;
    int spineHigh = -1;
    int heartLowJ = N;
    for (int j = 0; j < N; j++) {
      for (int i = mid - 3; i <= mid + 3; i++) {
        int v = p.ct().index(i, j, k);
        if (hu[v] > 250 && j > bodyLow && j < lungJ) {
          spine++;
          spineLow = Math.min(spineLow, j);
          spineHigh = Math.max(spineHigh, j);
        }
        if (l[v] == Phantom.HEART) {
          heartLowJ = Math.min(heartLowJ, j);
        }
      }
    }
    assertTrue(spine >= 10, "bone voxels of the spine at the midline: " + spine);

    int tableRow = -1;
    for (int j = 0; j < bodyLow; j++) {
      int v = p.ct().index(mid, j, k);
      assertEquals(Phantom.BACKGROUND, l[v]);
      if (hu[v] > 100) {
        tableRow = j;
      }
    }
    assertTrue(tableRow >= 0, "no table below the body");
    // Across the body's width, every column has the plate under its lowest soft tissue.
    int bodyColumns = 0;
    int supported = 0;
    for (int i = 0; i < N; i++) {
      int low = -1;
      for (int j = 0; j < N && low < 0; j++) {
        float v = hu[p.ct().index(i, j, k)];
        low = v > -200 && v < 100 ? j : -1;
      }
      if (low < 0) {
        continue;
      }
      bodyColumns++;
      for (int j = 0; j < low; j++) {
        if (hu[p.ct().index(i, j, k)] > 100) {
          supported++;
          break;
        }
      }
    }
    assertTrue(supported >= 0.9 * bodyColumns, "table under " + supported + " of " + bodyColumns + " columns");
    // From back to front: table, spine, heart.
    assertTrue(tableRow < spineLow && spineHigh < heartLowJ,
        "table " + tableRow + ", spine " + spineLow + ".." + spineHigh + ", heart from " + heartLowJ);
  }
}
