//! Prometheus metrics, in the text exposition format at `GET /metrics`. A small registry of our own: counters and
//! gauges keyed by their label values, and latency histograms with fixed buckets. The families are fields of
//! [`Metrics`], so a metric is named once, where it is declared; what is read at scrape time (the pool, the event
//! log's lag per consumer) is added by `http/ops.rs`.
use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{Arc, Mutex},
};

/// Counter or gauge.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
}

struct Family {
    name: &'static str,
    help: &'static str,
    kind: Kind,
    labels: &'static [&'static str],
    values: Mutex<BTreeMap<Vec<String>, f64>>,
}

/// A counter or gauge family (cheap to clone).
#[derive(Clone)]
pub struct Counters(Arc<Family>);

impl Counters {
    fn new(kind: Kind, name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Self {
        Counters(Arc::new(Family { name, help, kind, labels, values: Mutex::new(BTreeMap::new()) }))
    }

    /// Adds one to the series of `labels` (in the family's label order).
    pub fn inc(&self, labels: &[&str]) {
        self.add(labels, 1.0);
    }

    /// Adds `v`.
    pub fn add(&self, labels: &[&str], v: f64) {
        let key = labels.iter().map(|s| (*s).to_owned()).collect();
        *self.0.values.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_default() += v;
    }

    /// Sets a gauge.
    pub fn set(&self, labels: &[&str], v: f64) {
        let key = labels.iter().map(|s| (*s).to_owned()).collect();
        self.0.values.lock().unwrap_or_else(|e| e.into_inner()).insert(key, v);
    }

    /// The value of one series (0 when never touched).
    pub fn get(&self, labels: &[&str]) -> f64 {
        let key: Vec<String> = labels.iter().map(|s| (*s).to_owned()).collect();
        self.0.values.lock().unwrap_or_else(|e| e.into_inner()).get(&key).copied().unwrap_or(0.0)
    }

    fn render(&self, out: &mut String) {
        let f = &self.0;
        let kind = if f.kind == Kind::Counter { "counter" } else { "gauge" };
        let _ = writeln!(out, "# HELP {} {}\n# TYPE {} {kind}", f.name, f.help, f.name);
        for (labels, v) in f.values.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "{}{} {v}", f.name, label_text(f.labels, labels, None));
        }
    }
}

struct Series {
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

/// A histogram family (seconds).
pub struct Histogram {
    name: &'static str,
    help: &'static str,
    labels: &'static [&'static str],
    bounds: &'static [f64],
    values: Mutex<BTreeMap<Vec<String>, Series>>,
}

impl Histogram {
    /// Records one observation of `secs`.
    pub fn observe(&self, labels: &[&str], secs: f64) {
        let key = labels.iter().map(|s| (*s).to_owned()).collect();
        let mut m = self.values.lock().unwrap_or_else(|e| e.into_inner());
        let s = m.entry(key).or_insert_with(|| Series { buckets: vec![0; self.bounds.len()], sum: 0.0, count: 0 });
        for (i, b) in self.bounds.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
        s.sum += secs;
        s.count += 1;
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP {} {}\n# TYPE {} histogram", self.name, self.help, self.name);
        for (labels, s) in self.values.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            for (i, b) in self.bounds.iter().enumerate() {
                let _ = writeln!(out, "{}_bucket{} {}", self.name, label_text(self.labels, labels, Some(&b.to_string())), s.buckets[i]);
            }
            let _ = writeln!(out, "{}_bucket{} {}", self.name, label_text(self.labels, labels, Some("+Inf")), s.count);
            let _ = writeln!(out, "{}_sum{} {}", self.name, label_text(self.labels, labels, None), s.sum);
            let _ = writeln!(out, "{}_count{} {}", self.name, label_text(self.labels, labels, None), s.count);
        }
    }
}

fn label_text(names: &[&str], values: &[String], le: Option<&str>) -> String {
    let mut parts: Vec<String> = names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")))
        .collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    if parts.is_empty() { String::new() } else { format!("{{{}}}", parts.join(",")) }
}

/// Every metric the process keeps.
pub struct Metrics {
    /// GraphQL operations by operation name (`anonymous` without one).
    pub requests: Counters,
    /// GraphQL errors by operation and code.
    pub errors: Counters,
    /// Time to answer a GraphQL operation.
    pub latency: Histogram,
    /// Rate-limit refusals by class (`fallback`: the shared cache was unreachable and this process limited alone).
    pub rate_limited: Counters,
    /// Document-limit refusals by code.
    pub limited: Counters,
    /// Open websockets.
    pub websockets: Counters,
    /// Background job rounds by job and outcome (`ok`, `failed`).
    pub job_runs: Counters,
    /// Rows a job round handled, by job.
    pub job_rows: Counters,
    /// Live-update messages sent, by subscription.
    pub pushes: Counters,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: Counters::new(Kind::Counter, "linli_graphql_requests_total", "GraphQL operations", &["operation"]),
            errors: Counters::new(Kind::Counter, "linli_graphql_errors_total", "GraphQL errors by code", &["operation", "code"]),
            latency: Histogram {
                name: "linli_graphql_duration_seconds",
                help: "Time to answer a GraphQL operation",
                labels: &["operation"],
                bounds: &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
                values: Mutex::new(BTreeMap::new()),
            },
            rate_limited: Counters::new(Kind::Counter, "linli_rate_limited_total", "Requests refused by the rate limiter", &["class"]),
            limited: Counters::new(Kind::Counter, "linli_document_limited_total", "Documents refused by a document limit", &["code"]),
            websockets: Counters::new(Kind::Gauge, "linli_websockets_open", "Open websockets", &[]),
            job_runs: Counters::new(Kind::Counter, "linli_job_runs_total", "Background job rounds", &["job", "outcome"]),
            job_rows: Counters::new(Kind::Counter, "linli_job_rows_total", "Rows handled by background jobs", &["job"]),
            pushes: Counters::new(Kind::Counter, "linli_pushes_total", "Live-update messages sent", &["subscription"]),
        }
    }
}

impl Metrics {
    /// The text exposition of every family kept here.
    pub fn render(&self, out: &mut String) {
        for c in [&self.requests, &self.errors, &self.rate_limited, &self.limited, &self.websockets, &self.job_runs, &self.job_rows, &self.pushes] {
            c.render(out);
        }
        self.latency.render(out);
    }

    /// A gauge read at scrape time, rendered with its HELP and TYPE.
    pub fn gauge_line(out: &mut String, name: &str, help: &str, series: &[(Vec<(&str, String)>, f64)]) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, v) in series {
            let names: Vec<&str> = labels.iter().map(|(n, _)| *n).collect();
            let values: Vec<String> = labels.iter().map(|(_, v)| v.clone()).collect();
            let _ = writeln!(out, "{name}{} {v}", label_text(&names, &values, None));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_exposition_format() {
        let m = Metrics::default();
        m.requests.inc(&["myReports"]);
        m.requests.inc(&["myReports"]);
        m.errors.inc(&["say \"hi\"", "NOT_FOUND"]);
        m.latency.observe(&["myReports"], 0.003);
        let mut out = String::new();
        m.render(&mut out);
        assert!(out.contains("linli_graphql_requests_total{operation=\"myReports\"} 2"), "{out}");
        assert!(out.contains("linli_graphql_errors_total{operation=\"say \\\"hi\\\"\",code=\"NOT_FOUND\"} 1"), "{out}");
        assert!(out.contains("linli_graphql_duration_seconds_bucket{operation=\"myReports\",le=\"0.0025\"} 0"), "{out}");
        assert!(out.contains("linli_graphql_duration_seconds_bucket{operation=\"myReports\",le=\"0.005\"} 1"), "{out}");
        assert!(out.contains("linli_graphql_duration_seconds_count{operation=\"myReports\"} 1"), "{out}");
        assert!(out.contains("# TYPE linli_websockets_open gauge"));
    }
}
