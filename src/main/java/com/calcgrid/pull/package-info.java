/**
 * The pull protocol between job supervisors and workers, in one place: a supervisor with ready
 * tasks asks ({@link com.calcgrid.pull.RequestWork}), a worker with free slots lends them
 * ({@link com.calcgrid.pull.SlotsOffered}), the supervisor answers with at most that many tasks
 * ({@link com.calcgrid.pull.RunTasks}) and the worker reports each attempt
 * ({@link com.calcgrid.pull.TaskFinished}). The in-JVM {@code worker.WorkerAgent} and the
 * network {@code gateway} are two implementations of the worker side; both register under
 * {@link com.calcgrid.pull.Worker#KEY}.
 */
package com.calcgrid.pull;
