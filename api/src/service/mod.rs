//! Business rules, one module per area. Resolvers call these functions and nothing else decides who may do what.
pub mod auth;
pub mod authz;
pub mod demo;
pub mod grid;
pub mod lookup;
pub mod org;
pub mod page;
pub mod people;
pub mod places;
pub mod property;
pub mod report;
pub mod roles;
pub mod validate;
