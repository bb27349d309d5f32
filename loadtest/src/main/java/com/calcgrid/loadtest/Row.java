package com.calcgrid.loadtest;

/**
 * One line of the result table.
 *
 * @param figure what CalcGrid achieved, with its unit
 * @param met whether the target was met; null when the workload did not run
 * @param floor the same measure for the in-process floor executor, in the same run
 * @param ratio CalcGrid's figure over the floor's (time) or the floor's over CalcGrid's
 *     (throughput): how many times the floor is better; "-" when there is no floor
 */
record Row(String workload, String figure, String target, Boolean met, String floor,
    String ratio, String note) {

  static Row notRun(String workload, String target, String why) {
    return new Row(workload, "not run: " + why, target, null, "-", "-", "");
  }

  String metText() {
    return met == null ? "-" : met ? "yes" : "NO";
  }
}
