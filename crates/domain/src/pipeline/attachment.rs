//! Attachments (附件) to progress notes and monthly reports: which files are accepted and what
//! their names become.
//!
//! A file's kind is decided by its first bytes (magic numbers), never by its name or the type
//! the browser claims: PDF (`%PDF-`), JPEG (`FF D8 FF`), PNG (the 8-byte signature), and Word /
//! Excel documents (a ZIP whose entries include `word/` or `xl/`). The limits come from
//! `data/attachments/policy.json`, overridable by configuration. The original name is kept only
//! to show and to offer when downloading; files are stored under a generated key.

use crate::labelled_enum;
use crate::validation::{FieldError, Rule};
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// The kinds of file accepted.
    pub enum FileKind {
        Pdf = ("pdf", "PDF 文档", "PDF document"),
        Jpeg = ("jpg", "JPEG 图片", "JPEG image"),
        Png = ("png", "PNG 图片", "PNG image"),
        Docx = ("docx", "Word 文档", "Word document"),
        Xlsx = ("xlsx", "Excel 表格", "Excel workbook"),
    }
}

impl FileKind {
    /// The kind of a file from its first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(FileKind::Png)
        } else if bytes.starts_with(b"PK\x03\x04") {
            // An Office Open XML package: its entry names are stored in clear text.
            if contains(bytes, b"word/") {
                Some(FileKind::Docx)
            } else if contains(bytes, b"xl/") {
                Some(FileKind::Xlsx)
            } else {
                None
            }
        } else {
            None
        }
    }

    /// The MIME type served on download.
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// Images may be shown inline (photos of 形象进度); everything else downloads.
    pub fn is_image(self) -> bool {
        matches!(self, FileKind::Jpeg | FileKind::Png)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What uploads may be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentPolicy {
    pub max_bytes: usize,
    pub kinds: Vec<FileKind>,
    pub max_files_per_upload: usize,
}

impl Default for AttachmentPolicy {
    fn default() -> Self {
        AttachmentPolicy::built_in()
    }
}

impl AttachmentPolicy {
    /// The shipped policy (`data/attachments/policy.json`).
    pub fn built_in() -> AttachmentPolicy {
        serde_json::from_str(include_str!("../../../../data/attachments/policy.json"))
            .expect("the shipped attachment policy parses (checked by a test)")
    }

    /// Checks one uploaded file for field `field`: size, kind, and a name fit to show.
    pub fn check(&self, field: &str, original_name: &str, bytes: &[u8]) -> Result<CheckedFile, FieldError> {
        if bytes.is_empty() {
            return Err(FieldError::new(
                field,
                Rule::Other {
                    zh: "文件为空".into(),
                    en: "the file is empty".into(),
                },
            ));
        }
        if bytes.len() > self.max_bytes {
            return Err(FieldError::new(
                field,
                Rule::Other {
                    zh: format!("文件不能超过 {}", human_size(self.max_bytes)),
                    en: format!("the file must not exceed {}", human_size(self.max_bytes)),
                },
            ));
        }
        let allowed: Vec<String> = self.kinds.iter().map(|k| k.code().to_string()).collect();
        let kind = FileKind::sniff(bytes)
            .filter(|k| self.kinds.contains(k))
            .ok_or_else(|| FieldError::new(field, Rule::NotOneOf { allowed }))?;
        Ok(CheckedFile {
            kind,
            name: display_name(original_name, kind),
            size: bytes.len(),
        })
    }
}

/// An accepted file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedFile {
    pub kind: FileKind,
    /// The original name reduced to its last part, without control characters, for display.
    pub name: String,
    pub size: usize,
}

/// `10 MB`, `256 KB`.
pub fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MB", bytes / (1024 * 1024))
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

/// The name to show for an upload: only its last path component (`../../etc/passwd` →
/// `passwd`), no control or quote characters, at most 120 characters, and never empty.
pub fn display_name(original: &str, kind: FileKind) -> String {
    let last = original.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let name: String = cleaned.chars().take(120).collect();
    if name.is_empty() {
        format!("附件.{}", kind.code())
    } else {
        name
    }
}

/// The SHA-256 of a file's bytes, in hex (kept with the file to detect tampering on disk).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(entry: &str) -> Vec<u8> {
        let mut v = b"PK\x03\x04\x14\x00\x00\x00".to_vec();
        v.extend_from_slice(entry.as_bytes());
        v.extend_from_slice(b"....");
        v
    }

    #[test]
    fn the_kind_comes_from_the_bytes_not_the_name() {
        let table: Vec<(Vec<u8>, Option<FileKind>)> = vec![
            (b"%PDF-1.7\n...".to_vec(), Some(FileKind::Pdf)),
            (vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], Some(FileKind::Jpeg)),
            (
                vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0],
                Some(FileKind::Png),
            ),
            (zip_with("word/document.xml"), Some(FileKind::Docx)),
            (zip_with("xl/workbook.xml"), Some(FileKind::Xlsx)),
            (zip_with("payload.exe"), None),
            (b"MZ\x90\x00 an executable".to_vec(), None),
            (b"<html><script>".to_vec(), None),
            (b"%PD".to_vec(), None),
        ];
        for (bytes, kind) in table {
            assert_eq!(FileKind::sniff(&bytes), kind, "{:?}", &bytes[..bytes.len().min(8)]);
        }
    }

    #[test]
    fn the_policy_refuses_oversize_empty_and_unlisted_files() {
        let p = AttachmentPolicy {
            max_bytes: 16,
            kinds: vec![FileKind::Pdf, FileKind::Png],
            max_files_per_upload: 2,
        };
        assert_eq!(p.check("file", "a.pdf", b"%PDF-1.7 ok").unwrap().kind, FileKind::Pdf);
        let too_big = p.check("file", "a.pdf", b"%PDF-1.7 far too long").unwrap_err();
        assert_eq!(too_big.field, "file");
        assert!(too_big.rule.message(crate::validation::Lang::Zh).contains("16 B"));
        assert!(p.check("file", "a.pdf", b"").is_err());
        // A JPEG is a real image, but not on this policy's list.
        let jpeg = p.check("file", "photo.jpg", &[0xFF, 0xD8, 0xFF, 0xE0]).unwrap_err();
        assert_eq!(
            jpeg.rule,
            Rule::NotOneOf {
                allowed: vec!["pdf".into(), "png".into()]
            }
        );
        // A renamed executable is refused whatever its name says.
        assert!(p.check("file", "report.pdf", b"MZ\x90\x00").is_err());
    }

    #[test]
    fn names_lose_their_paths_and_tricks() {
        let table = [
            ("../../etc/passwd", "passwd"),
            ("..\\..\\windows\\win.ini", "win.ini"),
            ("施工进度\"照片\".jpg", "施工进度照片.jpg"),
            ("a\r\nContent-Type: x.pdf", "aContent-Type x.pdf"),
            ("", "附件.jpg"),
            ("...", "附件.jpg"),
            ("/", "附件.jpg"),
            (".hidden.jpg", "hidden.jpg"),
        ];
        for (input, expected) in table {
            assert_eq!(display_name(input, FileKind::Jpeg), expected, "{input:?}");
        }
        assert_eq!(display_name(&"长".repeat(200), FileKind::Pdf).chars().count(), 120);
    }

    #[test]
    fn the_shipped_policy_parses() {
        let p = AttachmentPolicy::built_in();
        assert_eq!(p.max_bytes, 10 * 1024 * 1024);
        assert_eq!(p.kinds.len(), 5);
        assert_eq!(human_size(p.max_bytes), "10 MB");
    }
}
