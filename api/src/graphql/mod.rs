//! The GraphQL API: resolvers are adapters that take the actor and state from the context, call one service
//! function and wrap the result. Lists are Relay connections; errors carry `extensions.code`.
mod api_keys;
mod webhooks;
mod console;
mod audit;
mod export;
pub mod incentives;
mod kpi;
pub mod limits;
pub mod apq;
mod live;
mod loaders;
pub mod media;
mod moderation;
pub mod notify;
pub mod parsed;
mod mutation;
mod query;
pub mod stats;
pub mod report;
pub mod sla;
pub mod types;

use async_graphql::{
    Context, ID, MergedObject, Schema,
    connection::{Connection, Edge},
};
use uuid::Uuid;

pub use loaders::Loaders;
use mutation::Mutation;
use query::Query;
use types::*;

use crate::auth::Actor;
use crate::config::Config;
use crate::error::AppResult;
use crate::ids::Kind;
use crate::service::{page, people, places};
use crate::state::AppState;

/// All queries, merged per area.
#[derive(MergedObject, Default)]
pub struct QueryRoot(Query, report::ReportQuery, moderation::ModerationQuery, notify::NotificationQuery, incentives::IncentiveQuery, media::MediaQuery, stats::StatisticsQuery, sla::SlaQuery, audit::AuditQuery, export::ExportQuery, kpi::KpiQuery, console::ConsoleQuery, api_keys::ApiKeyQuery, webhooks::WebhookQuery);

/// All mutations, merged per area.
#[derive(MergedObject, Default)]
pub struct MutationRoot(Mutation, report::ReportMutation, moderation::ModerationMutation, notify::NotificationMutation, incentives::IncentiveMutation, sla::SlaMutation, export::ExportMutation, console::ConsoleMutation, api_keys::ApiKeyMutation, webhooks::WebhookMutation);

/// The schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, live::SubscriptionRoot>;

/// A Relay connection keyed by opaque string cursors.
pub type Conn<T> = Connection<String, T>;

/// Builds the schema with its limits. Production turns off introspection and field suggestions.
pub fn build_schema(state: Option<AppState>, config: &Config) -> AppSchema {
    let mut b = Schema::build(QueryRoot::default(), MutationRoot::default(), live::SubscriptionRoot)
        .limit_depth(20)
        .limit_recursive_depth(32)
        .limit_complexity(5_000)
        .limit_directives(10);
    if !config.is_dev() {
        b = b.disable_introspection().disable_suggestions();
    }
    if let Some(s) = state {
        b = b.data(s);
    }
    b.finish()
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    let cfg = Config::from_lookup(|_| None).expect("default config is valid");
    build_schema(None, &cfg).sdl()
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

pub(crate) fn actor<'a>(ctx: &Context<'a>) -> &'a Actor {
    ctx.data_unchecked::<Actor>()
}

pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

pub(crate) fn page_args(first: Option<i32>, after: Option<String>) -> AppResult<page::PageArgs> {
    page::PageArgs::parse(first, after.as_deref())
}

/// Wraps a page of rows into a connection.
pub(crate) fn connection<M, T: async_graphql::OutputType>(
    p: page::Page<M>,
    id_of: impl Fn(&M) -> Uuid,
    wrap: impl Fn(M) -> T,
) -> Conn<T> {
    let mut c = Connection::new(p.has_previous, p.has_next);
    c.edges.extend(p.items.into_iter().map(|m| Edge::new(page::encode_cursor(id_of(&m)), wrap(m))));
    c
}

/// Fetches any node the actor may see; NOT_FOUND when it does not exist or may not be seen.
pub(crate) async fn load_node(ctx: &Context<'_>, kind: Kind, id: Uuid) -> AppResult<Node> {
    let a = actor(ctx);
    a.user_id()?;
    let l = loaders(ctx);
    let nf = || places::not_found(kind);
    macro_rules! via {
        ($loader:ident, $variant:ident) => {
            Node::$variant($variant(l.$loader.load_one(id).await?.ok_or_else(nf)?))
        };
    }
    Ok(match kind {
        Kind::District => via!(district, District),
        Kind::Street => via!(street, Street),
        Kind::Community => via!(community, Community),
        Kind::Compound => via!(compound, Compound),
        Kind::Building => via!(building, Building),
        Kind::Area => via!(area, Area),
        Kind::Group => via!(group, Group),
        Kind::Neighbourhood => via!(neighbourhood, Neighbourhood),
        Kind::PropertyCompany => via!(company, PropertyCompany),
        Kind::Merchant => Node::Merchant(incentives::Merchant(l.merchant.load_one(id).await?.ok_or_else(nf)?)),
        Kind::Appointment => Node::Appointment(Appointment(people::appointment(state(ctx), a, id).await?)),
        Kind::Residence => Node::Residence(Residence(people::readable_residence(state(ctx), a, id).await?)),
        Kind::Report => Node::Report(report::Report::seen(crate::service::report::query::one(state(ctx), a, id).await?)),
        _ => return Err(nf()),
    })
}

/// Reads an ID argument of a given kind.
pub(crate) fn arg_id(id: &ID, kind: Kind, field: &'static str) -> AppResult<Uuid> {
    crate::ids::decode(id, kind, field)
}
