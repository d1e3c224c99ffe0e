//! Authentication: access tokens (JWT), refresh tokens, and the [`Actor`] every request carries.
pub mod actor;
pub mod roles;
pub mod tokens;

pub use actor::Actor;
pub use roles::{Grant, HEAD_ROLES, Role, RoleScope, Roles};
