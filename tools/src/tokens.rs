//! `linli bench-tokens`: access tokens for the load harness's users, and the input files that carry them. Tokens
//! are signed with the configured secret for users who never logged in, so this runs in dev mode only (the
//! benchmark's server runs in dev mode with its own secret).
use api::auth::tokens::JwtKeys;
use api::config::Config;
use api::ids::{Kind, encode};
use uuid::Uuid;

use crate::seed::Manifest;

/// Writes the files the load harness reads: one line per request template, `token<TAB>argument`.
/// Refused in production mode: these are access tokens for users nobody logged in as.
pub fn write_bench_inputs(config: &Config, m: &Manifest, dir: &std::path::Path) -> anyhow::Result<()> {
    crate::refuse_in_production(config, "bench-tokens")?;
    let jwt = JwtKeys::new(config);
    std::fs::create_dir_all(dir)?;
    let token = |u: &Uuid| jwt.issue(*u, Uuid::nil());
    let write = |name: &str, lines: Vec<String>| -> anyhow::Result<()> {
        if lines.is_empty() {
            anyhow::bail!("no rows for {name}: seed at a larger scale");
        }
        std::fs::write(dir.join(name), lines.join("\n") + "\n")?;
        Ok(())
    };
    let cat = |i: usize| m.categories[i % m.categories.len().max(1)];
    write("residents.tsv", m.residents.iter().enumerate().map(|(i, u)| Ok(format!("{}\t{}", token(u)?, cat(i)))).collect::<anyhow::Result<_>>()?)?;
    write("heads.tsv", m.neighbour_heads.iter().map(|u| Ok(format!("{}\t-", token(u)?))).collect::<anyhow::Result<_>>()?)?;
    write("area_heads.tsv", m.area_heads.iter().map(|u| Ok(format!("{}\t-", token(u)?))).collect::<anyhow::Result<_>>()?)?;
    write("staff.tsv", m.busy_staff.iter().map(|u| Ok(format!("{}\t-", token(u)?))).collect::<anyhow::Result<_>>()?)?;
    write(
        "reports.tsv",
        m.reports.iter().map(|(r, u)| Ok(format!("{}\t{}", token(u)?, encode(Kind::Report, *r).0))).collect::<anyhow::Result<_>>()?,
    )?;
    write(
        "acknowledge.tsv",
        m.to_acknowledge
            .iter()
            .map(|(r, h)| Ok(format!("{}\t{}", token(h)?, encode(Kind::Report, *r).0)))
            .collect::<anyhow::Result<_>>()?,
    )?;
    if !m.probes.is_empty() {
        write(
            "similar.tsv",
            m.probes
                .iter()
                .map(|(u, c, b, unit, text)| {
                    let input = serde_json::json!({
                        "categoryId": encode(Kind::Category, *c).0, "buildingId": encode(Kind::Building, *b).0,
                        "unit": unit, "description": text,
                    });
                    Ok(format!("{}\t{}", token(u)?, input))
                })
                .collect::<anyhow::Result<_>>()?,
        )?;
    }
    if let Some(k) = &m.kpi {
        // A street's monthly KPIs over the twelve whole months up to the last one; the district's compounds ranked
        // over that month (and the one before): the assessment's periods.
        let (from, month_from, last) = crate::seed::kpi_periods(k.to);
        let year = serde_json::json!({ "s": encode(Kind::Street, k.street).0, "f": from, "t": last });
        write("kpi_street.tsv", vec![format!("{}\t{}", token(&k.street_admin)?, year)])?;
        let month = serde_json::json!({ "d": encode(Kind::District, k.district).0, "f": month_from, "t": last });
        write("kpi_ranking.tsv", vec![format!("{}\t{}", token(&k.district_admin)?, month)])?;
    }
    if let Some(o) = &m.open311 {
        // Public reads (no token): a district day's requests, a page of OPEN311_PAGE at a time from the first.
        let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        write(
            "open311.tsv",
            o.days
                .iter()
                .map(|(start, end)| format!("-\t{}", open311_day_query(o.district, &at(*start), &at(*end + chrono::Duration::milliseconds(1)))))
                .collect(),
        )?;
    }
    let categories: Vec<String> = m.categories.iter().map(|c| encode(Kind::Category, *c).0).collect();
    write("categories.txt", categories)?;
    Ok(())
}

/// Requests a page of the Open311 scenario holds.
pub const OPEN311_PAGE: u64 = 1_000;

/// The query string of the Open311 scenario's first page of a day: the HTTP run and the ceiling read the same.
pub fn open311_day_query(district: Uuid, start: &str, end: &str) -> String {
    format!("jurisdiction_id={}&start_date={start}&end_date={end}&page_size={OPEN311_PAGE}", encode(Kind::District, district).0)
}
