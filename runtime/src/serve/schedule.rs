//! Schedules: `when schedule "cron" tz "Zone" missed once|skip`.
//!
//! Firings are computed in the flow's time zone by `croner`, Vixie-cron
//! style across daylight-saving changes: a time that happens twice (autumn)
//! fires once, a time that does not exist (spring) fires at the first
//! instant after the gap. Each schedule keeps a cursor in the store — the
//! instant up to which its firings were handled — and a firing is queued
//! with its cursor in one transaction, keyed by flow and instant, so it runs
//! once however often the service restarts. Firings missed while the
//! service was down (more than [`GRACE`] late) follow the flow's policy:
//! `missed once` (the default) runs once for all of them, `missed skip`
//! drops them.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone};
use chrono_tz::Tz;
use croner::Cron;
use idflow_compiler::plan::Plan;
use idflow_compiler::plan::ir::Trigger;

use super::dispatcher::SCHEDULE;
use super::{Service, blocking};
use crate::event::now_ms;
use crate::store::NewEvent;

/// How late a firing may be and still count as on time (not missed).
pub const GRACE: i64 = 60_000;

/// The most firings looked at in one go (a per-minute schedule down for a
/// week has ten thousand).
const MAX_FIRINGS: usize = 100_000;

/// What to do with firings missed while the service was down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missed {
    /// Run once for all of them.
    Once,
    /// Do not run them.
    Skip,
}

/// One flow's schedule.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// The flow.
    pub flow: String,
    cron: Cron,
    tz: Tz,
    /// The missed-firings policy.
    pub missed: Missed,
}

impl Schedule {
    /// A schedule from its cron expression, IANA zone (UTC when absent) and
    /// policy; the error says which part is wrong.
    pub fn new(
        flow: &str,
        cron: &str,
        tz: Option<&str>,
        missed: Option<&str>,
    ) -> Result<Self, String> {
        let parsed = Cron::from_str(cron).map_err(|e| {
            format!("flow `{flow}`: the cron expression \"{cron}\" is invalid: {e}")
        })?;
        let tz = match tz {
            Some(name) => Tz::from_str(name)
                .map_err(|_| format!("flow `{flow}`: \"{name}\" is not an IANA time zone"))?,
            None => Tz::UTC,
        };
        let missed = match missed {
            Some("skip") => Missed::Skip,
            _ => Missed::Once,
        };
        Ok(Schedule {
            flow: flow.to_owned(),
            cron: parsed,
            tz,
            missed,
        })
    }

    /// The first firing strictly after `ms`.
    pub fn next_after(&self, ms: i64) -> Option<i64> {
        let start = self.tz.timestamp_millis_opt(ms).single()?;
        self.cron
            .find_next_occurrence(&start, false)
            .ok()
            .map(|t: DateTime<Tz>| t.timestamp_millis())
    }

    /// The firings in `(after, until]`, oldest first.
    pub fn between(&self, after: i64, until: i64) -> Vec<i64> {
        let mut firings = Vec::new();
        let mut cursor = after;
        while firings.len() < MAX_FIRINGS {
            match self.next_after(cursor) {
                Some(next) if next <= until => {
                    firings.push(next);
                    cursor = next;
                }
                _ => break,
            }
        }
        firings
    }

    /// The firings to run now, given the cursor: those on time, and for
    /// the missed ones what the policy says.
    pub fn to_run(&self, cursor: i64, now: i64) -> Vec<i64> {
        let due = self.between(cursor, now);
        let (missed, on_time): (Vec<i64>, Vec<i64>) =
            due.into_iter().partition(|t| *t < now - GRACE);
        let mut run = Vec::with_capacity(on_time.len() + 1);
        if self.missed == Missed::Once
            && let Some(latest) = missed.last()
        {
            run.push(*latest);
        }
        run.extend(on_time);
        run
    }
}

/// The schedules of a plan's flows; the ones that are invalid are logged.
pub fn schedules(plan: &Plan) -> Vec<Schedule> {
    let mut found = Vec::new();
    for flow in &plan.flows {
        for trigger in &flow.triggers {
            if let Trigger::Schedule { cron, tz, missed } = trigger {
                match Schedule::new(&flow.name, cron, tz.as_deref(), missed.as_deref()) {
                    Ok(schedule) => found.push(schedule),
                    Err(error) => tracing::error!(%error, "schedule ignored"),
                }
            }
        }
    }
    found
}

/// The store cursor of a flow's schedule.
fn cursor_name(flow: &str) -> String {
    format!("schedule:{flow}")
}

/// Queues firings until the service stops.
pub async fn run(service: Arc<Service>) {
    while !service.is_stopping() {
        let replanned = service.replanned.notified();
        let now = now_ms();
        let plan_schedules = schedules(&service.deployments.current().plan);
        let mut wake = now + 60_000;
        for schedule in &plan_schedules {
            if let Err(error) = tick(&service, schedule, now).await {
                tracing::error!(flow = %schedule.flow, %error, "scheduling failed; retrying");
                wake = wake.min(now + 1_000);
            }
            if let Some(next) = schedule.next_after(now) {
                wake = wake.min(next);
            }
        }
        let pause = Duration::from_millis(u64::try_from(wake - now).unwrap_or(0));
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = replanned => {}
            () = service.stopped() => {}
        }
    }
}

/// Queues a schedule's due firings and moves its cursor.
async fn tick(service: &Arc<Service>, schedule: &Schedule, now: i64) -> Result<(), String> {
    let name = cursor_name(&schedule.flow);
    let key = name.clone();
    let stored = blocking(&service.store, move |s| s.cursor(&key))
        .await
        .map_err(|e| e.to_string())?;
    let Some(cursor) = stored.and_then(|c| c.parse::<i64>().ok()) else {
        // A schedule seen for the first time starts now: nothing is missed.
        let value = now.to_string();
        return blocking(&service.store, move |s| s.set_cursor(&name, &value))
            .await
            .map_err(|e| e.to_string());
    };
    let firings = schedule.to_run(cursor, now);
    if firings.is_empty() {
        return Ok(());
    }
    let events: Vec<NewEvent> = firings
        .iter()
        .map(|at| NewEvent {
            source: SCHEDULE.to_owned(),
            key: format!("{}@{at}", schedule.flow),
            connector: SCHEDULE.to_owned(),
            event_type: schedule.flow.clone(),
            body: serde_json::json!({ "scheduled": idflow_compiler::plan::value::format_time(*at) }),
        })
        .collect();
    let value = now.to_string();
    let done = blocking(&service.store, move |s| {
        s.enqueue_with_cursor(&events, (&name, &value), now)
    })
    .await
    .map_err(|e| e.to_string())?;
    service.note_queued(SCHEDULE, done);
    tracing::info!(flow = %schedule.flow, firings = done.queued, "schedule fired");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(rfc3339: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis()
    }

    fn utc(ms: i64) -> String {
        idflow_compiler::plan::value::format_time(ms)
    }

    #[test]
    fn a_daily_job_in_the_repeated_autumn_hour_fires_once() {
        // Paris falls back from 03:00 CEST to 02:00 CET on 2026-10-25: 02:30
        // happens twice, at 00:30 and 01:30 UTC.
        let s = Schedule::new("f", "30 2 * * *", Some("Europe/Paris"), None).unwrap();
        let firings = s.between(ms("2026-10-24T12:00:00Z"), ms("2026-10-26T12:00:00Z"));
        let shown: Vec<String> = firings.into_iter().map(utc).collect();
        assert_eq!(
            shown,
            ["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]
        );
    }

    #[test]
    fn a_daily_job_in_the_missing_spring_hour_fires_just_after_the_gap() {
        // Paris springs forward from 02:00 CET to 03:00 CEST on 2026-03-29:
        // 02:30 does not exist that day; the job runs at 03:00 CEST.
        let s = Schedule::new("f", "30 2 * * *", Some("Europe/Paris"), None).unwrap();
        let firings = s.between(ms("2026-03-28T12:00:00Z"), ms("2026-03-30T12:00:00Z"));
        let shown: Vec<String> = firings.into_iter().map(utc).collect();
        assert_eq!(
            shown,
            ["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]
        );
    }

    #[test]
    fn a_monthly_report_is_at_seven_in_paris_summer_and_winter() {
        let s = Schedule::new("f", "0 7 1 * *", Some("Europe/Paris"), None).unwrap();
        let firings = s.between(ms("2026-06-15T00:00:00Z"), ms("2026-12-15T00:00:00Z"));
        let shown: Vec<String> = firings.into_iter().map(utc).collect();
        assert_eq!(
            shown,
            [
                "2026-07-01T05:00:00.000Z",
                "2026-08-01T05:00:00.000Z",
                "2026-09-01T05:00:00.000Z",
                "2026-10-01T05:00:00.000Z",
                "2026-11-01T06:00:00.000Z",
                "2026-12-01T06:00:00.000Z",
            ]
        );
    }

    #[test]
    fn missed_firings_run_once_or_are_skipped() {
        let once = Schedule::new("f", "0 * * * *", None, Some("once")).unwrap();
        let skip = Schedule::new("f", "0 * * * *", None, Some("skip")).unwrap();
        // Down from 10:30 to 14:00:30: 11:00, 12:00 and 13:00 were missed;
        // 14:00 is on time.
        let (cursor, now) = (ms("2026-11-29T10:30:00Z"), ms("2026-11-29T14:00:30Z"));
        let shown = |v: Vec<i64>| v.into_iter().map(utc).collect::<Vec<_>>();
        assert_eq!(
            shown(once.to_run(cursor, now)),
            ["2026-11-29T13:00:00.000Z", "2026-11-29T14:00:00.000Z"]
        );
        assert_eq!(
            shown(skip.to_run(cursor, now)),
            ["2026-11-29T14:00:00.000Z"]
        );
    }

    #[test]
    fn bad_expressions_and_zones_are_named() {
        let bad = Schedule::new("report", "61 * * * *", None, None).unwrap_err();
        assert!(bad.contains("\"61 * * * *\""), "{bad}");
        let bad = Schedule::new("report", "0 7 1 * *", Some("Europe/Pariss"), None).unwrap_err();
        assert!(bad.contains("Europe/Pariss"), "{bad}");
    }
}
