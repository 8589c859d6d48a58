/**
 * Schedules as values: {@link io.baton.protocol.schedule.ScheduleSpec} (cron, syntax, zone, bounds, misfire and
 * overlap policies, the job it submits), {@link io.baton.protocol.schedule.ScheduleRules} (every violation at once)
 * and {@link io.baton.protocol.schedule.CronTimes} (fire times over cron-utils, with Baton's DST rule). Plain Java.
 * <pre>
 *   JSON (web, CLI) --parse--> ScheduleSpec --ScheduleRules.validate--> violations (400) | accepted
 *   ScheduleSpec --CronTimes.of--> nextAfter(t): local cron times (cron-utils, no zone) placed on the time line:
 *                                  a time in a spring-forward gap fires at the gap's end, a repeated one once, first
 *   scheduler.model.ScheduleLogic uses CronTimes to decide the fires due at "now"
 * </pre>
 */
package io.baton.protocol.schedule;
