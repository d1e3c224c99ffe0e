//! Export files: an XLSX workbook written by rust_xlsxwriter in constant-memory mode (each row goes to a temporary
//! file as soon as the next one starts, strings inline instead of in a shared table), or a CSV file, made in a
//! temporary directory and read back as a stream. The workbook is written in a blocking task fed page by page
//! through a channel of two pages, so at most a few pages of cells are in memory however many rows there are.
use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::Stream;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use tokio::io::AsyncReadExt;

use super::{Cell, Rows};
use crate::error::{AppError, AppResult};

/// Data rows per worksheet: Excel's 1,048,576 rows less the header. A larger export continues on a new sheet.
pub const ROWS_PER_SHEET: u32 = 1_048_575;

/// A file in the temporary directory, removed when dropped (whether it was finished or not).
#[derive(Debug)]
pub struct TempPath(PathBuf);

impl TempPath {
    /// A new, unused name in `dir` with extension `ext`.
    pub fn new(dir: &Path, ext: &str) -> TempPath {
        TempPath(dir.join(format!("linli-export-{}.{ext}", uuid::Uuid::now_v7().simple())))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes every row of `rows` to a file at `out` in the XLSX or CSV format; `progress(n)` is awaited after each
/// page with the rows written so far (a background job records it, and may stop the export by failing). Returns
/// the number of rows.
pub async fn write_file<F, Fut>(mut rows: Rows, xlsx: bool, out: &TempPath, tmp_dir: &Path, mut progress: F) -> AppResult<u64>
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = AppResult<()>>,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<Vec<Cell>>>(2);
    let header: Vec<String> = rows.header().into_iter().map(str::to_owned).collect();
    let (path, dir) = (out.path().to_owned(), tmp_dir.to_owned());
    let writer = tokio::task::spawn_blocking(move || if xlsx { write_workbook(header, rx, &path, &dir) } else { write_csv(header, rx, &path) });
    let mut n = 0u64;
    let produced: AppResult<()> = async {
        while let Some(batch) = rows.next_batch().await? {
            n += batch.len() as u64;
            if tx.send(batch).await.is_err() {
                // The writer stopped: its own error says why.
                break;
            }
            progress(n).await?;
        }
        Ok(())
    }
    .await;
    drop(tx);
    let written = writer.await.map_err(AppError::internal)?;
    produced?;
    written?;
    Ok(n)
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, c: &Cell) -> Result<(), rust_xlsxwriter::XlsxError> {
    match c {
        Cell::Text(s) => ws.write_string(row, col, s).map(|_| ()),
        Cell::Int(n) => ws.write_number(row, col, *n as f64).map(|_| ()),
        Cell::Hours(h) => ws.write_number(row, col, *h).map(|_| ()),
        Cell::Empty => Ok(()),
    }
}

/// The blocking half: pages from `rx` into a constant-memory workbook saved at `path`.
fn write_workbook(
    header: Vec<String>,
    mut rx: tokio::sync::mpsc::Receiver<Vec<Vec<Cell>>>,
    path: &Path,
    tmp_dir: &Path,
) -> AppResult<()> {
    let xe = |e: rust_xlsxwriter::XlsxError| AppError::internal(anyhow::anyhow!("xlsx: {e}"));
    let mut wb = Workbook::new();
    wb.set_tempdir(tmp_dir).map_err(xe)?;
    let bold = Format::new().set_bold();
    let mut sheets = 0usize;
    let mut row = ROWS_PER_SHEET;
    // Sheets are created as they fill: in constant-memory mode a sheet must be written row after row, and once the
    // next sheet is made the previous one is complete.
    let mut current: Option<usize> = None;
    while let Some(batch) = rx.blocking_recv() {
        for cells in batch {
            if row >= ROWS_PER_SHEET {
                let ws = wb.add_worksheet_with_constant_memory().map_err(xe)?;
                sheets += 1;
                ws.set_name(if sheets == 1 { "reports".to_owned() } else { format!("reports-{sheets}") }).map_err(xe)?;
                for (i, h) in header.iter().enumerate() {
                    ws.write_string_with_format(0, i as u16, h, &bold).map_err(xe)?;
                }
                ws.set_freeze_panes(1, 0).map_err(xe)?;
                current = Some(sheets - 1);
                row = 0;
            }
            let ws = wb.worksheet_from_index(current.expect("a sheet was made")).map_err(xe)?;
            row += 1;
            for (i, c) in cells.iter().enumerate() {
                write_cell(ws, row, i as u16, c).map_err(xe)?;
            }
        }
    }
    if current.is_none() {
        // No rows: the header alone.
        let ws = wb.add_worksheet_with_constant_memory().map_err(xe)?;
        ws.set_name("reports").map_err(xe)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, h, &bold).map_err(xe)?;
        }
    }
    wb.save(path).map_err(xe)
}

/// The blocking half for CSV: the BOM, the header, then each page's lines.
fn write_csv(header: Vec<String>, mut rx: tokio::sync::mpsc::Receiver<Vec<Vec<Cell>>>, path: &Path) -> AppResult<()> {
    let f = std::fs::File::create(path).map_err(AppError::internal)?;
    let mut w = std::io::BufWriter::new(f);
    w.write_all(super::BOM).map_err(AppError::internal)?;
    w.write_all(&super::csv_lines([header])?).map_err(AppError::internal)?;
    while let Some(batch) = rx.blocking_recv() {
        w.write_all(&super::csv_batch(&batch)?).map_err(AppError::internal)?;
    }
    w.flush().map_err(AppError::internal)
}

/// A file's bytes as a stream of 64 KiB chunks. The path may be removed once the file is open: the stream reads
/// from the open file.
pub fn file_stream(file: tokio::fs::File) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures::stream::unfold(Some(file), |f| async move {
        let mut f = f?;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(f)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}
