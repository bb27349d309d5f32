package com.calcgrid;

import com.calcgrid.cli.NodeCommand;
import com.calcgrid.cli.RunCommand;
import com.calcgrid.cli.ScheduleCommand;
import com.calcgrid.cli.SubmitCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code calcgrid} command: {@code node}, {@code run}, {@code submit}, {@code schedule}. */
@Command(name = "calcgrid", mixinStandardHelpOptions = true, version = "CalcGrid 0.1.0",
    description = "Distributed calculation orchestrator.",
    subcommands = {NodeCommand.class, RunCommand.class, SubmitCommand.class,
        ScheduleCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0 || !NodeCommand.keepsRunning()) {
      System.exit(code);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
