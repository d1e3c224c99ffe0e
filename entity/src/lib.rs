//! SeaORM entities for Linli. Plain column models: relations are loaded by the service layer and DataLoaders,
//! so every query the API makes is visible where it is made.
pub mod app_user;
pub mod appointment;
pub mod building;
pub mod category;
pub mod community;
pub mod compound;
pub mod compound_management;
pub mod content_check;
pub mod district;
pub mod media_check;
pub mod grid_area;
pub mod grid_group;
pub mod neighbourhood;
pub mod neighbourhood_unit;
pub mod notification;
pub mod outbox;
pub mod photo;
pub mod property_company;
pub mod refresh_token;
pub mod report;
pub mod report_comment;
pub mod report_event;
pub mod residence;
pub mod street;
pub mod subscription_quota;
