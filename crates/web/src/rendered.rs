//! Page bodies rendered once per version of the task board and served again until it moves.
//!
//! Why: the battle map of a county of 300 projects is 8 MB of SVG drawn from 15,000 tasks, the
//! whole task force opens it, and it changes only when a task, a project, a unit, the chain or the
//! calendar does — what `Store::board_version` counts. The key names everything else a body
//! depends on (county, language, day, filters); the page around it (navigation, the user's name,
//! the form token) is rendered per request.

use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Where a kept body goes in the page rendered around it (see [`around`]).
pub(crate) const BODY_MARKER: &str = "\u{1}kept-body\u{1}";

/// A kept body as the bytes of a response: shared with the cache, not copied.
pub(crate) fn shared_bytes(body: &Arc<str>) -> Bytes {
    struct Kept(Arc<str>);
    impl AsRef<[u8]> for Kept {
        fn as_ref(&self) -> &[u8] {
            self.0.as_bytes()
        }
    }
    Bytes::from_owner(Kept(body.clone()))
}

/// A page rendered with [`BODY_MARKER`] where its body goes, with the kept `body` set there: the
/// page is written once at its final size rather than the body passed through the template.
pub(crate) fn around(page: &str, body: &str) -> Bytes {
    let (head, tail) = page.split_once(BODY_MARKER).unwrap_or((page, ""));
    let mut out = Vec::with_capacity(head.len() + body.len() + tail.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(tail.as_bytes());
    Bytes::from(out)
}

/// At most this many bytes of bodies are kept: a few full-county maps.
const MAX_BYTES: usize = 64 << 20;

#[derive(Default)]
pub(crate) struct BoardRenders(Mutex<Kept>);

#[derive(Default)]
struct Kept {
    version: i64,
    bodies: HashMap<String, Arc<str>>,
    bytes: usize,
}

impl BoardRenders {
    /// The body kept under `key` for board `version`, if any.
    pub fn get(&self, version: i64, key: &str) -> Option<Arc<str>> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if kept.version != version {
            return None;
        }
        kept.bodies.get(key).cloned()
    }

    /// Keeps a body rendered from board `version`. A body of an older version than the ones kept
    /// is dropped (a write committed while it was drawn); a newer version replaces them all.
    pub fn put(&self, version: i64, key: String, body: Arc<str>) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if version < kept.version {
            return;
        }
        if version > kept.version || kept.bytes + body.len() > MAX_BYTES {
            kept.bodies.clear();
            kept.bytes = 0;
            kept.version = version;
        }
        kept.bytes += body.len();
        if let Some(old) = kept.bodies.insert(key, body) {
            kept.bytes -= old.len();
        }
    }
}

/// One project's part of the battle map, drawn: its SVG rows (y counted from the project's top)
/// and its entries in the phone list.
#[derive(Debug)]
pub(crate) struct MapPiece {
    pub svg: String,
    pub list: String,
}

/// At most this many bytes of pieces are kept: every project of a few counties' maps, in both
/// languages and both row modes.
const MAX_PIECE_BYTES: usize = 96 << 20;

/// The battle map's projects, drawn, keyed by everything a piece is drawn from (the project with
/// its tasks' dates and colours, the axis, the row mode, the language).
///
/// Why: one task reported moves the board's version, so the whole body above is drawn again;
/// with the pieces kept, that draws one project's rows and copies the other 299.
#[derive(Default)]
pub(crate) struct MapPieces(Mutex<KeptPieces>);

#[derive(Default)]
struct KeptPieces {
    pieces: HashMap<u64, Arc<MapPiece>>,
    bytes: usize,
}

impl MapPieces {
    pub fn get(&self, key: u64) -> Option<Arc<MapPiece>> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pieces
            .get(&key)
            .cloned()
    }

    /// Keeps a piece; when the pieces outgrow their budget they are all dropped and drawn again
    /// as they are asked for (pieces of old versions are never asked for again).
    pub fn put(&self, key: u64, piece: Arc<MapPiece>) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let size = piece.svg.len() + piece.list.len();
        if kept.bytes + size > MAX_PIECE_BYTES {
            kept.pieces.clear();
            kept.bytes = 0;
        }
        if kept.pieces.insert(key, piece).is_none() {
            kept.bytes += size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BoardRenders;
    use std::sync::Arc;

    #[test]
    fn a_kept_body_is_set_where_the_page_marks_it() {
        let page = format!("<main>{}</main>", super::BODY_MARKER);
        assert_eq!(&super::around(&page, "<svg/>")[..], b"<main><svg/></main>");
        let kept: Arc<str> = Arc::from("{\"projects\":[]}");
        assert_eq!(&super::shared_bytes(&kept)[..], kept.as_bytes());
    }

    #[test]
    fn a_body_is_served_only_for_the_board_version_it_was_drawn_from() {
        let r = BoardRenders::default();
        r.put(7, "map/1".into(), Arc::from("v7"));
        assert_eq!(r.get(7, "map/1").as_deref(), Some("v7"));
        assert_eq!(r.get(7, "map/2"), None);
        assert_eq!(r.get(8, "map/1"), None);
        // A body drawn from an older board than the one already kept is not kept.
        r.put(9, "map/1".into(), Arc::from("v9"));
        r.put(8, "map/2".into(), Arc::from("v8"));
        assert_eq!(r.get(9, "map/2"), None);
        assert_eq!(r.get(9, "map/1").as_deref(), Some("v9"));
    }
}
