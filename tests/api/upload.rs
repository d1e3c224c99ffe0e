//! Photos over HTTP: `POST /upload` as wx.uploadFile sends it, metadata stripping, refusals (wrong type, too
//! large, decompression bombs, no token), attaching to reports and comments in the mutation's transaction, and
//! who can see a photo through its signed URL.
use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage, RgbaImage};
use serde_json::{Value, json};

use crate::common::TestApp;

// ---------------------------------------------------------------------------------------------------------------
// Building files

/// A small JPEG with a gradient.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 4) as u8, (y * 4) as u8, 128]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img).write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// What the EXIF block of [`with_exif`] gives away, as it appears in the file.
const SECRET_DESCRIPTION: &[u8] = b"LINLI-SECRET home of Chen, 39.9042N 116.4074E";

/// The GPS latitude 39° 54' 15.12" as three big-endian rationals, as it appears in the file.
fn latitude_rationals() -> Vec<u8> {
    [(39u32, 1u32), (54, 1), (1512, 100)]
        .iter()
        .flat_map(|(n, d)| [n.to_be_bytes(), d.to_be_bytes()].concat())
        .collect()
}

/// `jpeg` with an APP1 Exif segment spliced in after SOI: an image description, orientation 6 (rotate 90° to
/// view) and a GPS IFD with latitude and longitude, as a phone camera writes them.
fn with_exif(jpeg: &[u8]) -> Vec<u8> {
    fn entry(t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: [u8; 4]) {
        t.extend(tag.to_be_bytes());
        t.extend(typ.to_be_bytes());
        t.extend(count.to_be_bytes());
        t.extend(value);
    }
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    let mut desc = SECRET_DESCRIPTION.to_vec();
    desc.push(0);
    if desc.len() % 2 == 1 {
        desc.push(0);
    }
    let ifd0 = 8u32;
    let gps_ifd = ifd0 + 2 + 3 * 12 + 4;
    let data = gps_ifd + 2 + 4 * 12 + 4;
    let lat_at = data + desc.len() as u32;
    let lon_at = lat_at + 24;
    let mut t = b"MM\x00\x2a".to_vec();
    t.extend(ifd0.to_be_bytes());
    // IFD0: ImageDescription, Orientation = 6, GPS IFD pointer.
    t.extend(3u16.to_be_bytes());
    entry(&mut t, 0x010E, ASCII, (SECRET_DESCRIPTION.len() + 1) as u32, data.to_be_bytes());
    entry(&mut t, 0x0112, SHORT, 1, [0, 6, 0, 0]);
    entry(&mut t, 0x8825, LONG, 1, gps_ifd.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    // GPS IFD: N 39°54'15.12", E 116°24'26.64".
    t.extend(4u16.to_be_bytes());
    entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, RATIONAL, 3, lat_at.to_be_bytes());
    entry(&mut t, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, RATIONAL, 3, lon_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    assert_eq!(t.len() as u32, data);
    t.extend(&desc);
    t.extend(latitude_rationals());
    t.extend(
        [(116u32, 1u32), (24, 1), (2664, 100)].iter().flat_map(|(n, d)| [n.to_be_bytes(), d.to_be_bytes()].concat()),
    );
    let mut app1 = b"\xFF\xE1".to_vec();
    app1.extend(((2 + 6 + t.len()) as u16).to_be_bytes());
    app1.extend(b"Exif\0\0");
    app1.extend(t);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend(data);
    c.extend(&body);
    c.extend(crc32(&body).to_be_bytes());
    c
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A small RGBA PNG with a `tEXt` chunk carrying a location, spliced in after IHDR.
fn png_with_text(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 200, if x < 4 { 0 } else { 255 }]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgba8(img).write_to(&mut out, ImageFormat::Png).unwrap();
    let png = out.into_inner();
    let ihdr_end = PNG_SIGNATURE.len() + 8 + 13 + 4;
    let mut with = png[..ihdr_end].to_vec();
    with.extend(png_chunk(b"tEXt", b"Location\0LINLI-SECRET-PNG 39.9042N"));
    with.extend(&png[ihdr_end..]);
    with
}

/// A PNG of a few dozen bytes that declares 100000 x 100000 pixels (40 GB decoded).
fn png_bomb() -> Vec<u8> {
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

fn webp(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 50]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img).write_to(&mut out, ImageFormat::WebP).unwrap();
    out.into_inner()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------------------------
// Sending them as wx.uploadFile does

/// One part of a multipart form.
enum Part<'a> {
    /// A file: field name, file name, declared content type, bytes.
    File(&'a str, &'a str, &'a str, &'a [u8]),
    /// A text field (wx.uploadFile's `formData`).
    Text(&'a str, &'a str),
}

const BOUNDARY: &str = "----WeChatFormBoundaryLinliTest7MA4YWxkTrZu0gW";

fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in parts {
        body.extend(format!("--{BOUNDARY}\r\n").as_bytes());
        match p {
            Part::File(name, filename, ct, bytes) => {
                body.extend(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {ct}\r\n\r\n")
                        .as_bytes(),
                );
                body.extend(*bytes);
            }
            Part::Text(name, value) => {
                body.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}").as_bytes());
            }
        }
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts a raw body to `/upload`; returns the status and the JSON answer.
async fn post(app: &TestApp, token: Option<&str>, content_type: &str, body: Vec<u8>, english: bool) -> (u16, Value) {
    let mut req = app
        .http
        .post(format!("{}/upload", app.base))
        .header("Content-Type", content_type)
        .header("Referer", "https://servicewechat.com/wx-test/0/page-frame.html")
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if english {
        req = req.header("Accept-Language", "en");
    }
    let resp = req.send().await.expect("upload request");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("the answer is JSON: {text}"));
    (status, body)
}

/// Uploads one file the way the mini-program does: field `file`, a temp file name, and two `formData` fields.
async fn upload_as(
    app: &TestApp,
    token: Option<&str>,
    filename: &str,
    ct: &str,
    bytes: &[u8],
    english: bool,
) -> (u16, Value) {
    let body = form(&[
        Part::Text("scene", "report"),
        Part::File("file", filename, ct, bytes),
        Part::Text("client", "miniprogram 3.4.1"),
    ]);
    post(app, token, &format!("multipart/form-data; boundary={BOUNDARY}"), body, english).await
}

/// Uploads a JPEG and returns its media id.
async fn upload_jpeg(app: &TestApp, token: &str) -> String {
    let (status, body) = upload_as(app, Some(token), "tmp_photo.jpg", "image/jpeg", &jpeg(48, 36), false).await;
    assert_eq!(status, 200, "{body}");
    body["mediaId"].as_str().unwrap().to_owned()
}

/// GETs a (signed) URL; returns status, content type and bytes.
async fn fetch(app: &TestApp, url: &str) -> (u16, String, Vec<u8>) {
    let resp = app.http.get(format!("{}{url}", app.base)).send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, ct, resp.bytes().await.unwrap().to_vec())
}

// ---------------------------------------------------------------------------------------------------------------
// Reports

const SUBMIT: &str = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id photos { id phase width height url thumbnailUrl } } }";
const REPORT: &str = "query($id: ID!) { report(id: $id) { id photos { id phase hidden url thumbnailUrl }
    after: photos(phase: AFTER) { id } comments { nodes { body photos { id phase url } } } } }";

async fn submit(app: &TestApp, token: &str, photos: &[String]) -> crate::common::Gql {
    let cat = app.category_id(token, "DRAIN").await;
    let input = json!({ "categoryId": cat, "description": "楼道下水道堵了，照片为证", "photoIds": photos });
    app.gql(Some(token), SUBMIT, json!({ "i": input })).await
}

// ---------------------------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn a_jpeg_loses_its_exif_and_gps_and_is_turned_upright() {
    let app = TestApp::demo().await;
    let expected = if crate::common::s3::endpoint().is_some() { "s3" } else { "local" };
    assert_eq!(app.storage(), expected, "photos in a bucket exactly when TEST_S3_ENDPOINT is set");
    let token = app.login("resident").await;
    let original = with_exif(&jpeg(64, 32));
    assert!(contains(&original, b"Exif") && contains(&original, SECRET_DESCRIPTION));
    assert!(contains(&original, &latitude_rationals()), "the test file carries GPS");
    assert_eq!(image::load_from_memory(&original).unwrap().width(), 64, "the file itself is still a valid JPEG");

    let (status, body) = upload_as(&app, Some(&token), "wxfile://tmp_5f3a.jpg", "image/jpeg", &original, false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ok"], true);
    assert!(body["mediaId"].as_str().unwrap().starts_with("pho_"), "{body}");
    assert_eq!(
        (body["width"].as_i64(), body["height"].as_i64()),
        (Some(32), Some(64)),
        "orientation 6 applied: {body}"
    );
    assert_eq!(body["thumbnailWidth"], 32, "small photos are not scaled up");
    assert_eq!(body["contentType"], "image/jpeg");

    for key in ["url", "thumbnailUrl"] {
        let (status, ct, bytes) = fetch(&app, body[key].as_str().unwrap()).await;
        assert_eq!((status, ct.as_str()), (200, "image/jpeg"), "{key}");
        assert!(!contains(&bytes, b"Exif"), "{key}: no EXIF left");
        assert!(!contains(&bytes, SECRET_DESCRIPTION), "{key}: no description left");
        assert!(!contains(&bytes, &latitude_rationals()), "{key}: no GPS left");
        let img = image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg).unwrap();
        assert_eq!((img.width(), img.height()), (32, 64));
    }
    let files = app.stored_objects("photos").await;
    assert_eq!(files.len(), 2, "the photo and its thumbnail");
    for f in files {
        assert!(!contains(&f, b"Exif") && !contains(&f, SECRET_DESCRIPTION) && !contains(&f, &latitude_rationals()));
    }
    assert_eq!(app.count("photo").await, 1);
}

#[tokio::test]
async fn a_png_stays_png_without_its_text_chunks_and_a_webp_becomes_jpeg() {
    let app = TestApp::demo().await;
    let token = app.login("resident").await;
    let png = png_with_text(40, 30);
    assert!(contains(&png, b"LINLI-SECRET-PNG"));
    // wx.uploadFile's temp names say nothing true about the content; neither does the declared type.
    let (status, body) = upload_as(&app, Some(&token), "tmp_0001.jpg", "application/octet-stream", &png, false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["width"].as_i64(), body["height"].as_i64()), (Some(40), Some(30)));
    assert_eq!(body["contentType"], "image/png");
    let (status, ct, bytes) = fetch(&app, body["url"].as_str().unwrap()).await;
    assert_eq!((status, ct.as_str()), (200, "image/png"));
    assert!(!contains(&bytes, b"LINLI-SECRET-PNG") && !contains(&bytes, b"tEXt"));
    let img = image::load_from_memory_with_format(&bytes, ImageFormat::Png).unwrap();
    assert!(img.color().has_alpha(), "transparency survives");

    let (status, body) = upload_as(&app, Some(&token), "tmp_0002.webp", "image/webp", &webp(20, 10), false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["contentType"].as_str(), body["width"].as_i64()), (Some("image/jpeg"), Some(20)));
    assert_eq!(app.count("photo").await, 2);
}

#[tokio::test]
async fn a_text_file_named_jpg_is_refused() {
    let app = TestApp::demo().await;
    let token = app.login("resident").await;
    let text = b"this is not a photo, just text pretending to be one\n".repeat(20);
    let (status, body) = upload_as(&app, Some(&token), "photo.jpg", "image/jpeg", &text, true).await;
    assert_eq!(status, 415, "{body}");
    assert_eq!(body["ok"], false);
    assert_eq!(body["error"]["code"], "UNSUPPORTED_MEDIA_TYPE");
    assert_eq!(body["error"]["field"], "file");
    assert!(body["error"]["message"].as_str().unwrap().contains("JPEG"), "English on request: {body}");
    let (_, zh) = upload_as(&app, Some(&token), "photo.jpg", "image/jpeg", &text, false).await;
    assert!(zh["error"]["message"].as_str().unwrap().contains("格式"), "Chinese by default: {zh}");

    // A JPEG's magic bytes followed by garbage: recognised, but it does not decode.
    let mut broken = jpeg(30, 30);
    broken.truncate(60);
    let (status, body) = upload_as(&app, Some(&token), "photo.jpg", "image/jpeg", &broken, true).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("BAD_USER_INPUT")), "{body}");
    assert_eq!(app.count("photo").await, 0);
    assert!(app.stored_keys("photos").await.is_empty());
}

#[tokio::test]
async fn heic_is_recognised_and_refused_with_advice() {
    let app = TestApp::demo().await;
    let token = app.login("resident").await;
    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.extend([0u8; 2000]);
    let (status, body) = upload_as(&app, Some(&token), "IMG_0001.HEIC", "image/heic", &heic, true).await;
    assert_eq!(status, 415, "{body}");
    assert_eq!(body["error"]["code"], "UNSUPPORTED_MEDIA_TYPE");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("HEIC") && message.contains("JPEG"), "{message}");
    assert_eq!(app.count("photo").await, 0);
}

#[tokio::test]
async fn an_eleven_megabyte_file_is_refused() {
    let app = TestApp::demo().await;
    let token = app.login("resident").await;
    let mut big = vec![0xFF, 0xD8, 0xFF, 0xE0];
    big.resize(11 * 1024 * 1024, 0x5A);
    let (status, body) = upload_as(&app, Some(&token), "big.jpg", "image/jpeg", &big, true).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["ok"], false);
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
    assert!(body["error"]["message"].as_str().unwrap().contains("10 MB"), "says the limit: {body}");
    assert_eq!(app.count("photo").await, 0);
    // The GraphQL endpoint keeps its own small limit.
    let r = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("Content-Type", "application/json")
        .body(vec![b' '; 100_000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
}

#[tokio::test]
async fn a_body_far_beyond_the_limit_is_refused_in_json_before_it_is_read() {
    let app = TestApp::spawn_with(&[("LINLI_UPLOAD_MAX_BYTES", "65536")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let token = app.login("resident").await;
    // Over twice the limit plus 1 MiB: refused from its Content-Length alone.
    let (status, body) = upload_as(&app, Some(&token), "big.jpg", "image/jpeg", &vec![0xFF; 1_300_000], false).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
    // Between the limit and the cap: read to the end, then refused.
    let (status, body) = upload_as(&app, Some(&token), "big.jpg", "image/jpeg", &vec![0xFF; 100_000], false).await;
    assert_eq!((status, body["error"]["code"].as_str()), (413, Some("PAYLOAD_TOO_LARGE")), "{body}");
    assert_eq!(app.count("photo").await, 0);
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_before_decoding() {
    let app = TestApp::demo().await;
    let token = app.login("resident").await;
    let bomb = png_bomb();
    assert!(bomb.len() < 100);
    let (status, body) = upload_as(&app, Some(&token), "tiny.png", "image/png", &bomb, true).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "BAD_USER_INPUT");
    assert!(body["error"]["message"].as_str().unwrap().contains("pixels"), "{body}");
    assert_eq!(app.count("photo").await, 0);
}

#[tokio::test]
async fn an_upload_needs_a_valid_token() {
    let app = TestApp::demo().await;
    let photo = jpeg(20, 20);
    let (status, body) = upload_as(&app, None, "a.jpg", "image/jpeg", &photo, true).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!((body["ok"].as_bool(), body["error"]["code"].as_str()), (Some(false), Some("UNAUTHENTICATED")));
    let (status, body) = upload_as(&app, Some("not.a.token"), "a.jpg", "image/jpeg", &photo, false).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    assert_eq!(app.count("photo").await, 0);
    assert!(app.stored_keys("photos").await.is_empty());
}

#[tokio::test]
async fn a_form_must_hold_exactly_one_file() {
    let app = TestApp::demo().await;
    let token = app.login("resident").await;
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let (status, body) = post(&app, Some(&token), &ct, form(&[Part::Text("scene", "report")]), true).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("BAD_USER_INPUT")), "{body}");
    let photo = jpeg(10, 10);
    let two = form(&[Part::File("a", "a.jpg", "image/jpeg", &photo), Part::File("b", "b.jpg", "image/jpeg", &photo)]);
    let (status, body) = post(&app, Some(&token), &ct, two, true).await;
    assert_eq!((status, body["error"]["message"].as_str()), (400, Some("Upload one photo per request")), "{body}");
    let (status, body) = post(&app, Some(&token), "application/json", b"{}".to_vec(), true).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("BAD_USER_INPUT")), "{body}");
    // Any field name works (wx.uploadFile's `name` is the page's choice).
    let any = form(&[Part::File("image_upload_7", "x.jpg", "image/jpeg", &photo)]);
    let (status, body) = post(&app, Some(&token), &ct, any, true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.count("photo").await, 1);
}

#[tokio::test]
async fn another_users_photo_cannot_be_attached() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    let neighbour = app.login("neighbour").await;
    let theirs = upload_jpeg(&app, &neighbour).await;
    let mine = upload_jpeg(&app, &resident).await;
    let (reports, events) = (app.count("report").await, app.count("report_event").await);

    let r = submit(&app, &resident, &[mine.clone(), theirs.clone()]).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("photoIds")), "{:?}", r.errors);
    assert_eq!((app.count("report").await, app.count("report_event").await), (reports, events), "nothing written");
    // Neither photo was attached, not even the resident's own.
    let r = app.gql(Some(&resident), "query($id: ID!) { photo(id: $id) { phase } }", json!({ "id": mine })).await;
    assert!(r.ok()["photo"]["phase"].is_null());
    // And the neighbour's unattached photo is invisible to the resident.
    let r = app.gql(Some(&resident), "query($id: ID!) { photo(id: $id) { id } }", json!({ "id": theirs })).await;
    assert_eq!(r.code(), "NOT_FOUND");
}

#[tokio::test]
async fn a_photo_is_attached_once_and_at_most_nine_at_a_time() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(upload_jpeg(&app, &resident).await);
    }
    let reports = app.count("report").await;
    let r = submit(&app, &resident, &ids).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("photoIds")), "ten are too many");
    let r = submit(&app, &resident, &[ids[0].clone(), ids[0].clone()]).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("photoIds")), "the same photo twice");
    assert_eq!(app.count("report").await, reports);

    let r = submit(&app, &resident, &ids[..9]).await;
    let photos = r.ok()["submitReport"]["photos"].as_array().unwrap().clone();
    assert_eq!(photos.len(), 9);
    assert!(photos.iter().all(|p| p["phase"] == "BEFORE"));
    let got: Vec<&str> = photos.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids[..9].iter().map(String::as_str).collect::<Vec<_>>(), "in upload order");

    let r = submit(&app, &resident, &[ids[3].clone()]).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("photoIds")), "already attached");
    assert_eq!(app.count("report").await, reports + 1);
    let r = submit(&app, &resident, &[ids[9].clone()]).await;
    assert_eq!(r.ok()["submitReport"]["photos"][0]["id"], ids[9].as_str(), "the tenth goes with another report");
}

#[tokio::test]
async fn photos_are_served_to_those_who_may_see_the_report() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    let head = app.login("head").await;
    let elsewhere = app.login("resident-6").await;
    let p = upload_jpeg(&app, &resident).await;
    let r = submit(&app, &resident, std::slice::from_ref(&p)).await;
    let report = r.ok()["submitReport"]["id"].as_str().unwrap().to_owned();

    // The reporter and the neighbour head get URLs, and the URLs work.
    for token in [&resident, &head] {
        let r = app.gql(Some(token), REPORT, json!({ "id": report })).await;
        let photo = &r.ok()["report"]["photos"][0];
        assert_eq!((photo["id"].as_str(), photo["phase"].as_str()), (Some(p.as_str()), Some("BEFORE")));
        for key in ["url", "thumbnailUrl"] {
            let (status, ct, bytes) = fetch(&app, photo[key].as_str().unwrap()).await;
            assert_eq!((status, ct.as_str()), (200, "image/jpeg"), "{key}");
            assert!(image::load_from_memory(&bytes).is_ok());
        }
    }
    // A resident of another compound gets neither the report nor the photo.
    let r = app.gql(Some(&elsewhere), REPORT, json!({ "id": report })).await;
    assert_eq!(r.code(), "NOT_FOUND");
    let r = app.gql(Some(&elsewhere), "query($id: ID!) { photo(id: $id) { url } }", json!({ "id": p })).await;
    assert_eq!(r.code(), "NOT_FOUND");

    // A URL works only as signed, and only until it expires.
    let r = app.gql(Some(&head), REPORT, json!({ "id": report })).await;
    let url = r.ok()["report"]["photos"][0]["url"].as_str().unwrap().to_owned();
    let other = upload_jpeg(&app, &resident).await;
    let tampered = [
        url.replace(&p, &other),
        url.replace("v=f", "v=t"),
        format!("{}A", &url[..url.len() - 1]).replace("sig=", "sig=B"),
        url.split("&sig=").next().unwrap().to_owned(),
        url.replace("&exp=", "&exp=9"),
    ];
    for bad in &tampered {
        let (status, _, body) = fetch(&app, bad).await;
        assert_eq!(status, 403, "{bad}");
        assert!(!contains(&body, b"\xFF\xD8\xFF"), "no image bytes");
    }
    let id = api::ids::decode(&p, api::ids::Kind::Photo, "id").unwrap();
    let cfg = &app.state.config;
    let past = chrono::Utc::now().timestamp() - 10;
    let expired = api::service::media::sign::url_until(cfg, id, api::service::media::sign::Variant::Full, past, false);
    let resp = app.http.get(format!("{}{expired}", app.base)).header("Accept-Language", "en").send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("expired"), "{body}");
    let (status, _, _) = fetch(&app, &format!("/media/pho_{}?v=f&exp=1&sig=x", "0".repeat(32))).await;
    assert_eq!(status, 403);

    // An unattached photo is its owner's alone.
    let r = app.gql(Some(&resident), "query($id: ID!) { photo(id: $id) { id phase } }", json!({ "id": other })).await;
    assert!(r.ok()["photo"]["phase"].is_null());
    let r = app.gql(Some(&head), "query($id: ID!) { photo(id: $id) { id } }", json!({ "id": other })).await;
    assert_eq!(r.code(), "NOT_FOUND");
}

#[tokio::test]
async fn resolve_reopen_and_comments_carry_their_own_photos() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    let head = app.login("head").await;
    let before = upload_jpeg(&app, &resident).await;
    let r = submit(&app, &resident, std::slice::from_ref(&before)).await;
    let report = r.ok()["submitReport"]["id"].as_str().unwrap().to_owned();
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id) { id } }", json!({ "id": report }))
        .await
        .ok();

    // The resident's photo cannot be the head's AFTER photo, and the refused resolve changes nothing.
    let resolve = "mutation($id: ID!, $p: [ID!]) { resolveReport(id: $id, note: \"已疏通\", photoIds: $p) { status photos(phase: AFTER) { id phase } } }";
    let not_hers = upload_jpeg(&app, &resident).await;
    let r = app.gql(Some(&head), resolve, json!({ "id": report, "p": [not_hers] })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("photoIds")));
    let after = upload_jpeg(&app, &head).await;
    let r = app.gql(Some(&head), resolve, json!({ "id": report, "p": [after] })).await;
    let d = &r.ok()["resolveReport"];
    assert_eq!(d["status"], "RESOLVED", "the refused attempt left the report as it was");
    assert_eq!(d["photos"], json!([{ "id": after, "phase": "AFTER" }]));

    let again = upload_jpeg(&app, &resident).await;
    let reopen = "mutation($id: ID!, $p: [ID!]) { reopenReport(id: $id, reason: \"还是堵\", photoIds: $p) { status } }";
    let r = app.gql(Some(&resident), reopen, json!({ "id": report, "p": [again] })).await;
    assert_eq!(r.ok()["reopenReport"]["status"], "REOPENED");

    let c = upload_jpeg(&app, &head).await;
    let comment = "mutation($id: ID!, $p: [ID!]) { addComment(id: $id, body: \"明天再来看\", photoIds: $p) { photos { id phase } } }";
    let r = app.gql(Some(&head), comment, json!({ "id": report, "p": [c] })).await;
    assert_eq!(r.ok()["addComment"]["photos"], json!([{ "id": c, "phase": "COMMENT" }]));

    let r = app.gql(Some(&resident), REPORT, json!({ "id": report })).await;
    let rep = &r.ok()["report"];
    let phases: Vec<(&str, &str)> = rep["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["phase"].as_str().unwrap()))
        .collect();
    assert_eq!(phases, [(before.as_str(), "BEFORE"), (after.as_str(), "AFTER"), (again.as_str(), "BEFORE")]);
    assert_eq!(rep["after"], json!([{ "id": after }]));
    let comments = rep["comments"]["nodes"].as_array().unwrap();
    assert_eq!(comments[0]["photos"][0]["id"], c.as_str());
    let (status, _, _) = fetch(&app, comments[0]["photos"][0]["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_hidden_photo_is_shown_to_its_owner_and_the_community_admin_only() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    let neighbour = app.login("neighbour").await;
    let head = app.login("head").await;
    let admin = app.login("community-admin").await;
    let p = upload_jpeg(&app, &resident).await;
    let r = submit(&app, &resident, std::slice::from_ref(&p)).await;
    let report = r.ok()["submitReport"]["id"].as_str().unwrap().to_owned();
    let r = app.gql(Some(&neighbour), REPORT, json!({ "id": report })).await;
    let old_url = r.ok()["report"]["photos"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(fetch(&app, &old_url).await.0, 200, "a neighbour sees the report and its photos");

    // A content-safety verdict hides it.
    let id = api::ids::decode(&p, api::ids::Kind::Photo, "id").unwrap();
    assert!(api::service::media::set_hidden(&app.state.db, id, true).await.unwrap());

    for token in [&neighbour, &head] {
        let r = app.gql(Some(token), REPORT, json!({ "id": report })).await;
        assert_eq!(r.ok()["report"]["photos"], json!([]));
    }
    assert_eq!(fetch(&app, &old_url).await.0, 404, "URLs handed out before the verdict stop working");
    for token in [&resident, &admin] {
        let r = app.gql(Some(token), REPORT, json!({ "id": report })).await;
        let photo = &r.ok()["report"]["photos"][0];
        assert_eq!((photo["id"].as_str(), photo["hidden"].as_bool()), (Some(p.as_str()), Some(true)));
        assert_eq!(fetch(&app, photo["url"].as_str().unwrap()).await.0, 200);
    }
}

/// A page of reports with their photos costs the same number of statements for 2 reports as for 8.
#[tokio::test]
async fn a_page_of_reports_loads_its_photos_in_one_statement() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let resident = app.login("resident").await;
    for _ in 0..8 {
        let p = upload_jpeg(&app, &resident).await;
        submit(&app, &resident, &[p]).await.ok();
    }
    let q = "query($n: Int!) { myReports(first: $n) { nodes { id photos { id phase thumbnailUrl } } } }";
    let mut counts = Vec::new();
    for n in [2, 8] {
        app.gql(Some(&resident), q, json!({ "n": 1 })).await.ok();
        let (r, statements) = app.gql_counted(Some(&resident), q, json!({ "n": n })).await;
        let nodes = r.ok()["myReports"]["nodes"].as_array().unwrap().clone();
        assert_eq!(nodes.len(), n as usize);
        assert!(nodes.iter().all(|r| r["photos"].as_array().unwrap().len() == 1), "each report has its own photo");
        counts.push(statements);
    }
    assert_eq!(counts[0], counts[1], "statements for 2 and for 8 reports: {counts:?}");
}

// ---------------------------------------------------------------------------------------------------------------
// Storage down

/// An upload to storage that cannot be written answers UNAVAILABLE (503) within seconds, and leaves no photo row
/// behind (a row whose bytes were never stored would be a broken photo on a report).
async fn assert_upload_unavailable(app: &TestApp) {
    let token = app.login("resident").await;
    let started = std::time::Instant::now();
    let (status, body) = upload_as(app, Some(&token), "tmp_photo.jpg", "image/jpeg", &jpeg(48, 36), true).await;
    assert_eq!((status, body["ok"].as_bool(), body["error"]["code"].as_str()), (503, Some(false), Some("UNAVAILABLE")), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("storage"), "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "answered after {:?}", started.elapsed());
    assert_eq!(app.count("photo").await, 0, "no photo row without its bytes");
}

#[tokio::test]
async fn an_unreachable_bucket_answers_unavailable_and_writes_nothing() {
    // A port nothing listens on: the S3 server is down (or was never there).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = crate::common::s3::app_env(&format!("http://127.0.0.1:{port}"), "linli-down");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::demo_with(&env).await;
    assert_eq!(app.storage(), "s3");
    assert_upload_unavailable(&app).await;
}

#[tokio::test]
async fn a_media_directory_that_cannot_be_written_answers_unavailable_and_writes_nothing() {
    let dir = crate::common::test_media_root().join(uuid::Uuid::now_v7().simple().to_string());
    let app = TestApp::demo_with(&[("LINLI_MEDIA_DIR", dir.to_str().unwrap())]).await;
    assert_eq!(app.storage(), "local");
    // The directory replaced by a file (permissions would not stop root, who runs CI).
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::write(&dir, b"not a directory").unwrap();
    assert_upload_unavailable(&app).await;
    std::fs::remove_file(&dir).unwrap();
}
