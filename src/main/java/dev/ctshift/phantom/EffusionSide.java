package dev.ctshift.phantom;

/** Which pleural space holds fluid. LEFT and RIGHT are the patient's sides. */
public enum EffusionSide {
  NONE,
  LEFT,
  RIGHT,
  BOTH;

  boolean includesRight() {
    return this == RIGHT || this == BOTH;
  }

  boolean includesLeft() {
    return this == LEFT || this == BOTH;
  }
}
