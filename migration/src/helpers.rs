//! Small builders shared by the migrations so every table is declared the same way.
use sea_orm_migration::{prelude::*, schema::*};

/// A table with a UUID primary key `id` and a `created_at` timestamp.
pub fn table(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(pk_uuid("id"))
        .col(timestamp_with_time_zone("created_at"))
        .to_owned()
}

/// A not-null UUID column referencing `to`.`id`, cascading nothing: rows are never deleted from under others.
pub fn fk(t: &mut TableCreateStatement, from_table: &'static str, col: &'static str, to: &'static str) {
    t.col(uuid(col));
    t.foreign_key(
        ForeignKey::create()
            .name(format!("fk_{from_table}_{col}"))
            .from(from_table, col)
            .to(to, "id")
            .on_delete(ForeignKeyAction::Restrict),
    );
}

/// A nullable UUID column referencing `to`.`id`.
pub fn fk_null(t: &mut TableCreateStatement, from_table: &'static str, col: &'static str, to: &'static str) {
    t.col(uuid_null(col));
    t.foreign_key(
        ForeignKey::create()
            .name(format!("fk_{from_table}_{col}"))
            .from(from_table, col)
            .to(to, "id")
            .on_delete(ForeignKeyAction::Restrict),
    );
}

/// `CREATE INDEX idx_<table>_<cols> ON table (cols...)`.
pub async fn index(m: &SchemaManager<'_>, table: &'static str, cols: &[&'static str]) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(format!("idx_{table}_{}", cols.join("_"))).table(table);
    for c in cols {
        i.col(*c);
    }
    m.create_index(i.to_owned()).await
}

/// `CREATE UNIQUE INDEX ux_<table>_<cols> ON table (cols...)`.
pub async fn unique(m: &SchemaManager<'_>, table: &'static str, cols: &[&'static str]) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(format!("ux_{table}_{}", cols.join("_"))).table(table).unique();
    for c in cols {
        i.col(*c);
    }
    m.create_index(i.to_owned()).await
}

/// Drops tables in the given order (children first).
pub async fn drop_all(m: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for t in tables {
        m.drop_table(Table::drop().table(*t).to_owned()).await?;
    }
    Ok(())
}
