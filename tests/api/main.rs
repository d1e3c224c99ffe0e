//! Black-box tests over HTTP against the real router. One binary, one module per area (crates.io style).
//! Every test gets a fresh database: a SQLite file by default, a new PostgreSQL database when
//! `TEST_DATABASE_URL` is set (and Redis for the cache when `TEST_REDIS_URL` is set).
mod common;

mod admin;
mod audit;
mod auth;
mod authz;
mod console;
mod grid_import;
mod content;
mod edge;
mod events;
mod export;
mod faults;
mod http;
mod incentives;
mod kpi;
mod lifecycle;
mod live;
mod media_check;
mod notify;
mod open311;
mod report;
mod seed;
mod sla;
mod stats;
mod residence;
mod upload;
mod views;
mod vote;
mod webhooks;
mod wechat;
