//! What happens to the bytes of an upload, with no I/O: recognise the format by its magic bytes, refuse what is
//! too big before decoding, decode with limits, turn the pixels upright by the EXIF orientation, and encode them
//! again. The new file is made from pixels only, so no EXIF, GPS, XMP, ICC or comment survives.
use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::Refusal;

/// The longest side of a stored photo; larger ones are scaled down (a phone screen shows no more).
pub const MAX_SIDE: u32 = 2560;
/// The longest side of a thumbnail.
pub const THUMB_SIDE: u32 = 320;
/// JPEG quality of stored photos and thumbnails.
const JPEG_QUALITY: u8 = 85;

/// What the magic bytes say a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// `FF D8 FF`
    Jpeg,
    /// `89 50 4E 47 0D 0A 1A 0A`
    Png,
    /// `RIFF....WEBP`
    WebP,
    /// An ISO-BMFF `ftyp` box with a HEIF brand (iPhone photos).
    Heic,
}

/// The format of `bytes` by their first bytes only (never by file name or declared type).
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Sniffed::Jpeg);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(Sniffed::Png);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(Sniffed::WebP);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        const HEIF_BRANDS: [&[u8; 4]; 8] = [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"];
        if HEIF_BRANDS.iter().any(|b| &bytes[8..12] == *b) {
            return Some(Sniffed::Heic);
        }
    }
    None
}

/// A photo ready to store: the re-encoded image and its thumbnail.
#[derive(Debug)]
pub struct Processed {
    /// The stored image.
    pub bytes: Vec<u8>,
    /// Its type: `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    /// Its file extension.
    pub ext: &'static str,
    /// Width after orientation and scaling.
    pub width: u32,
    /// Height after orientation and scaling.
    pub height: u32,
    /// The thumbnail, same type.
    pub thumb: Vec<u8>,
    /// Thumbnail width.
    pub thumb_width: u32,
    /// Thumbnail height.
    pub thumb_height: u32,
}

fn refusal_of(e: ImageError) -> Refusal {
    match e {
        ImageError::Limits(_) => Refusal::TooManyPixels,
        ImageError::Unsupported(_) => Refusal::NotAnImage,
        _ => Refusal::Unreadable,
    }
}

/// Checks, decodes and re-encodes an upload. CPU-bound: run it on a blocking thread.
pub fn process(bytes: &[u8], max_pixels: u64) -> Result<Processed, Refusal> {
    let format = match sniff(bytes) {
        Some(Sniffed::Jpeg) => ImageFormat::Jpeg,
        Some(Sniffed::Png) => ImageFormat::Png,
        Some(Sniffed::WebP) => ImageFormat::WebP,
        Some(Sniffed::Heic) => return Err(Refusal::Heic),
        None => return Err(Refusal::NotAnImage),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(65_535);
    limits.max_image_height = Some(65_535);
    // 8 bytes a pixel covers 16-bit RGBA; anything within the pixel budget fits.
    limits.max_alloc = Some(max_pixels.saturating_mul(8));
    let reader = || {
        let mut r = ImageReader::with_format(Cursor::new(bytes), format);
        r.limits(limits.clone());
        r
    };
    // The header alone first: a bomb declares its size there, long before it would allocate it.
    let (w, h) = reader().into_dimensions().map_err(refusal_of)?;
    if w == 0 || h == 0 {
        return Err(Refusal::Unreadable);
    }
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(Refusal::TooManyPixels);
    }
    let mut decoder = reader().into_decoder().map_err(refusal_of)?;
    if decoder.total_bytes() > max_pixels.saturating_mul(8) {
        return Err(Refusal::TooManyPixels);
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(refusal_of)?;
    img.apply_orientation(orientation);

    // PNG stays PNG (screenshots, diagrams); so does anything with transparency. Photos become JPEG.
    let png = format == ImageFormat::Png || img.color().has_alpha();
    let img = fit(img, MAX_SIDE);
    let thumb = fit(img.clone(), THUMB_SIDE);
    let (bytes, thumb_bytes) =
        if png { (encode_png(&img)?, encode_png(&thumb)?) } else { (encode_jpeg(&img)?, encode_jpeg(&thumb)?) };
    Ok(Processed {
        bytes,
        content_type: if png { "image/png" } else { "image/jpeg" },
        ext: if png { "png" } else { "jpg" },
        width: img.width(),
        height: img.height(),
        thumb: thumb_bytes,
        thumb_width: thumb.width(),
        thumb_height: thumb.height(),
    })
}

/// Scales `img` down (never up) so that its longest side is at most `side`.
fn fit(img: DynamicImage, side: u32) -> DynamicImage {
    if img.width() <= side && img.height() <= side { img } else { img.thumbnail(side, side) }
}

fn encode_jpeg(img: &DynamicImage) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    let result = match img {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => img.write_with_encoder(encoder),
        DynamicImage::ImageLumaA8(_) | DynamicImage::ImageLuma16(_) | DynamicImage::ImageLumaA16(_) => {
            DynamicImage::ImageLuma8(img.to_luma8()).write_with_encoder(encoder)
        }
        _ => DynamicImage::ImageRgb8(img.to_rgb8()).write_with_encoder(encoder),
    };
    result.map_err(|_| Refusal::Unreadable)?;
    Ok(out)
}

fn encode_png(img: &DynamicImage) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    let result = match img {
        DynamicImage::ImageRgb32F(_) | DynamicImage::ImageRgba32F(_) => {
            DynamicImage::ImageRgba8(img.to_rgba8()).write_with_encoder(PngEncoder::new(&mut out))
        }
        _ => img.write_with_encoder(PngEncoder::new(&mut out)),
    };
    result.map_err(|_| Refusal::Unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img).write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90)).unwrap();
        out
    }

    #[test]
    fn sniffs_by_magic_bytes_only() {
        assert_eq!(sniff(&jpeg(4, 4)), Some(Sniffed::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Sniffed::Png));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(Sniffed::WebP));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(Sniffed::Heic));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), None, "an MP4 is not a photo");
        assert_eq!(sniff(b"hello, I am a text file.jpg"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn large_photos_are_scaled_down_with_a_thumbnail() {
        let p = process(&jpeg(3000, 1000), 50_000_000).unwrap();
        assert_eq!((p.width, p.height), (MAX_SIDE, 853));
        assert_eq!(p.thumb_width, THUMB_SIDE);
        assert_eq!(p.content_type, "image/jpeg");
        assert_eq!(sniff(&p.thumb), Some(Sniffed::Jpeg));
    }

    #[test]
    fn small_photos_are_not_scaled_up() {
        let p = process(&jpeg(40, 30), 50_000_000).unwrap();
        assert_eq!((p.width, p.height, p.thumb_width, p.thumb_height), (40, 30, 40, 30));
    }

    #[test]
    fn the_pixel_budget_is_checked_before_decoding() {
        assert_eq!(process(&jpeg(1200, 1000), 1_000_000).unwrap_err(), Refusal::TooManyPixels);
        assert_eq!(process(b"\0\0\0\x18ftypheic\0\0\0\0", 1_000_000).unwrap_err(), Refusal::Heic);
        let mut truncated = jpeg(64, 64);
        truncated.truncate(40);
        assert_eq!(process(&truncated, 1_000_000).unwrap_err(), Refusal::Unreadable);
    }
}
