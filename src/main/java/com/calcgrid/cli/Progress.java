package com.calcgrid.cli;

import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar over a job's finished tasks, with the counts per state beside it. */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  Progress(String name, int tasks) {
    bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(tasks)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate()
        .build();
  }

  void update(Map<String, ? extends Number> counts) {
    long done = 0;
    for (String s : new String[] {"SUCCEEDED", "FAILED", "SKIPPED", "CANCELLED"}) {
      Number n = counts.get(s);
      done += n == null ? 0 : n.longValue();
    }
    bar.stepTo(done);
    Number running = counts.get("RUNNING");
    Number failed = counts.get("FAILED");
    bar.setExtraMessage(" running " + (running == null ? 0 : running)
        + (failed == null ? "" : ", failed " + failed));
  }

  @Override
  public void close() {
    bar.close();
  }
}
