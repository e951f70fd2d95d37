//! Checks an OLE compound file (.xls, or an encrypted .xlsx) before calamine reads it.
//!
//! calamine trusts the file's sector tables: a chain that loops makes it read forever into
//! growing memory, a sector number past the table makes it index out of bounds, and two cells far
//! apart make it allocate the whole rectangle between them. None of these occur in a file Excel or
//! WPS wrote, so a file showing one is refused as damaged (or as too large) before calamine sees it.
//! The walk follows calamine's own reading of the format (cfb.rs, xls.rs of calamine 0.38).

use super::error::ImportError;

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// Sector numbers from here up are markers, not sectors.
const DIFSECT: u32 = 0xFFFF_FFFC;
const HEADER_DIFAT: std::ops::Range<usize> = 76..512;
/// Streams shorter than this live in the mini stream, in 64-byte mini sectors.
const MINI_CUTOFF: usize = 4096;
const MINI_SECTOR: usize = 64;

/// Refuses what calamine cannot read safely; `max_cells` bounds the rectangle of one sheet.
pub(crate) fn check(bytes: &[u8], max_cells: u64) -> Result<(), ImportError> {
    let file = CompoundFile::parse(bytes)?;
    if let Some(workbook) = file.stream(&["Workbook", "Book"])? {
        check_sheets(&workbook, max_cells)?;
    }
    Ok(())
}

fn damaged(detail: &str) -> ImportError {
    ImportError::Corrupt {
        detail: detail.to_string(),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

struct Directory {
    start: u32,
    len: u64,
    name: String,
}

struct CompoundFile<'b> {
    /// Sector data, after the header.
    data: &'b [u8],
    sector: usize,
    maxid: u32,
    fat: Vec<u32>,
    mini_fat: Vec<u32>,
    mini_stream: Vec<u8>,
    directories: Vec<Directory>,
}

impl<'b> CompoundFile<'b> {
    fn parse(bytes: &'b [u8]) -> Result<Self, ImportError> {
        let header = bytes.get(..512).ok_or_else(|| damaged("short OLE header"))?;
        let sector = match u16_at(header, 30) {
            Some(9) => 512,
            Some(12) => 4096,
            _ => return Err(damaged("bad OLE sector size")),
        };
        // Whole sectors only: calamine reads a partial last sector as a short table and panics.
        if bytes.len() < sector || !bytes.len().is_multiple_of(sector) {
            return Err(damaged("the OLE file does not end on a sector boundary"));
        }
        let maxid = (bytes.len() / sector) as u32;
        let mut file = CompoundFile {
            data: &bytes[sector..],
            sector,
            maxid,
            fat: Vec::new(),
            mini_fat: Vec::new(),
            mini_stream: Vec::new(),
            directories: Vec::new(),
        };
        let mut difat: Vec<u32> = u32s(&header[HEADER_DIFAT]).collect();
        let mut next = u32_at(header, 68).unwrap_or(ENDOFCHAIN);
        let mut hops = 0u32;
        while next < DIFSECT {
            hops += 1;
            if hops > maxid.saturating_add(1) {
                return Err(damaged("the DIFAT chain loops"));
            }
            difat.extend(u32s(file.sector_bytes(next)?));
            next = difat.pop().unwrap_or(ENDOFCHAIN);
        }
        for id in difat.into_iter().filter(|id| *id < DIFSECT) {
            let fat_sector = file.sector_bytes(id)?;
            file.fat.extend(u32s(fat_sector));
        }
        let dir_start = u32_at(header, 48).unwrap_or(ENDOFCHAIN);
        let dirs = file.chain(dir_start, usize::MAX)?;
        file.directories = dirs
            .chunks_exact(128)
            .map(|d| Directory {
                start: u32_at(d, 116).unwrap_or(ENDOFCHAIN),
                len: if sector == 512 {
                    u64::from(u32_at(d, 120).unwrap_or(0))
                } else {
                    u32_at(d, 120).map_or(0, u64::from) | (u64::from(u32_at(d, 124).unwrap_or(0)) << 32)
                },
                name: directory_name(&d[..64]),
            })
            .collect();
        let mini_fat_len = u32_at(header, 64).unwrap_or(0) as usize;
        if mini_fat_len > 0
            && let Some(root) = file.directories.first()
        {
            let (root_start, root_len) = (root.start, root.len);
            file.mini_stream = file.chain(root_start, clamp_len(root_len))?;
            let mini_start = u32_at(header, 60).unwrap_or(ENDOFCHAIN);
            let mini_fat = file.chain(mini_start, mini_fat_len.saturating_mul(sector))?;
            file.mini_fat = u32s(&mini_fat).collect();
        }
        Ok(file)
    }

    /// Sector `id` as calamine's reader gives it (a sector past the end is an error there).
    fn sector_bytes(&self, id: u32) -> Result<&'b [u8], ImportError> {
        if id > self.maxid {
            return Err(damaged("a sector number past the end of the file"));
        }
        let start = id as usize * self.sector;
        Ok(self
            .data
            .get(start..(start + self.sector).min(self.data.len()))
            .unwrap_or(&[]))
    }

    /// The bytes of a chain of sectors, at most `len`; refuses a chain that loops or leaves the
    /// table.
    fn chain(&self, start: u32, len: usize) -> Result<Vec<u8>, ImportError> {
        let mut out = Vec::new();
        let mut id = start;
        let mut hops = 0u32;
        while id != ENDOFCHAIN && out.len() < len {
            hops += 1;
            if hops > self.maxid.saturating_add(1) {
                return Err(damaged("a sector chain loops"));
            }
            let bytes = self.sector_bytes(id)?;
            out.extend_from_slice(&bytes[..bytes.len().min(len - out.len())]);
            if out.len() >= len {
                break;
            }
            id = *self
                .fat
                .get(id as usize)
                .ok_or_else(|| damaged("a sector chain leaves the allocation table"))?;
        }
        Ok(out)
    }

    fn mini_chain(&self, start: u32, len: usize) -> Result<Vec<u8>, ImportError> {
        let mut out = Vec::new();
        let mut id = start;
        let mut hops = 0u32;
        let limit = self.maxid.saturating_mul(8);
        while id != ENDOFCHAIN && out.len() < len {
            hops += 1;
            if hops > limit.saturating_add(1) {
                return Err(damaged("a mini sector chain loops"));
            }
            if id > limit {
                return Err(damaged("a mini sector number past the end of the file"));
            }
            let at = id as usize * MINI_SECTOR;
            let bytes = self
                .mini_stream
                .get(at..(at + MINI_SECTOR).min(self.mini_stream.len()))
                .unwrap_or(&[]);
            out.extend_from_slice(&bytes[..bytes.len().min(len - out.len())]);
            if out.len() >= len {
                break;
            }
            id = *self
                .mini_fat
                .get(id as usize)
                .ok_or_else(|| damaged("a mini sector chain leaves the allocation table"))?;
        }
        Ok(out)
    }

    /// The first stream with one of `names`, read as calamine reads it.
    fn stream(&self, names: &[&str]) -> Result<Option<Vec<u8>>, ImportError> {
        for name in names {
            if let Some(d) = self.directories.iter().find(|d| d.name.eq_ignore_ascii_case(name)) {
                let len = clamp_len(d.len);
                let bytes = if len < MINI_CUTOFF {
                    self.mini_chain(d.start, len)?
                } else {
                    self.chain(d.start, len)?
                };
                return Ok(Some(bytes));
            }
        }
        Ok(None)
    }
}

fn clamp_len(len: u64) -> usize {
    usize::try_from(len).unwrap_or(usize::MAX)
}

fn directory_name(raw: &[u8]) -> String {
    let units: Vec<u16> = raw
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|u| *u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

/// BIFF records that place a cell, with the offset of their row and column.
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];
const MUL_RK: u16 = 0x00BD;
const DIMENSIONS: u16 = 0x0200;
const BOUND_SHEET: u16 = 0x0085;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;

/// Each sheet's cells span a rectangle calamine allocates whole, and it reads every sheet when it
/// opens the file: together they must stay within `max_cells`.
fn check_sheets(stream: &[u8], max_cells: u64) -> Result<(), ImportError> {
    let mut positions = Vec::new();
    for (typ, data) in records(stream, 0) {
        match typ {
            BOUND_SHEET => positions.extend(u32_at(data, 0)),
            EOF => break,
            _ => {}
        }
    }
    let mut total: u64 = 0;
    for pos in positions {
        total = total.saturating_add(sheet_cells(stream, pos as usize, max_cells)?);
        if total > max_cells {
            return Err(ImportError::SheetTooLarge {
                cells: total,
                limit: max_cells,
            });
        }
    }
    Ok(())
}

/// The rectangle one sheet's cells span.
fn sheet_cells(stream: &[u8], pos: usize, max_cells: u64) -> Result<u64, ImportError> {
    let too_large = |cells: u64| ImportError::SheetTooLarge {
        cells,
        limit: max_cells,
    };
    let mut span: Option<(u32, u32, u32, u32)> = None;
    let mut widen = |row: u32, col: u32| {
        span = Some(match span {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    };
    let mut depth = 0usize;
    let mut seen_bof = false;
    for (typ, data) in records(stream, pos) {
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => {
                let cells = dimensions_cells(data)?;
                if cells > max_cells {
                    return Err(too_large(cells));
                }
            }
            MUL_RK => {
                if let (Some(row), Some(first), Some(last)) = (
                    u16_at(data, 0),
                    u16_at(data, 2),
                    data.len().checked_sub(2).and_then(|at| u16_at(data, at)),
                ) {
                    // calamine subtracts the first column from the last.
                    if last < first {
                        return Err(damaged("a row of numbers ends before it starts"));
                    }
                    widen(row.into(), first.into());
                    widen(row.into(), last.into());
                }
            }
            t if CELL_RECORDS.contains(&t) => {
                if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                    widen(row.into(), col.into());
                }
            }
            _ => {}
        }
    }
    Ok(span.map_or(0, |(r0, r1, c0, c1)| u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)))
}

/// The cells calamine reserves for a DIMENSIONS record (xls.rs `parse_dimensions`), refusing the
/// inverted ranges its arithmetic would underflow on.
fn dimensions_cells(r: &[u8]) -> Result<u64, ImportError> {
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (
            u32::from(u16_at(r, 0).unwrap_or(0)),
            u32::from(u16_at(r, 2).unwrap_or(0)),
            u32::from(u16_at(r, 4).unwrap_or(0)),
            u32::from(u16_at(r, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(r, 0).unwrap_or(0),
            u32_at(r, 4).unwrap_or(0),
            u32::from(u16_at(r, 8).unwrap_or(0)),
            u32::from(u16_at(r, 10).unwrap_or(0)),
        ),
        // calamine refuses other lengths itself.
        _ => return Ok(0),
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    if rl < 1 || cl < 1 {
        return Ok(1);
    }
    let (end_row, end_col) = (rl - 1, cl - 1);
    if end_row < rf || end_col < cf {
        return Err(damaged("a sheet's dimensions end before they start"));
    }
    Ok(u64::from(end_row - rf + 1) * u64::from(end_col - cf + 1))
}

/// BIFF records from `pos`: (type, data), data cut short at the end of the stream.
fn records(stream: &[u8], mut pos: usize) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16_at(stream, pos)?;
        let len = u16_at(stream, pos + 2)? as usize;
        let start = pos + 4;
        let end = (start + len).min(stream.len());
        pos = start + len;
        Some((typ, stream.get(start..end).unwrap_or(&[])))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dimensions_record_may_not_end_before_it_starts() {
        let mut r = Vec::new();
        for v in [10u32, 5] {
            r.extend_from_slice(&v.to_le_bytes());
        }
        r.extend_from_slice(&[0, 0, 3, 0, 0, 0]);
        assert!(matches!(dimensions_cells(&r), Err(ImportError::Corrupt { .. })));
    }

    #[test]
    fn a_full_biff8_sheet_counts_every_cell() {
        let mut r = Vec::new();
        for v in [0u32, 65_536] {
            r.extend_from_slice(&v.to_le_bytes());
        }
        r.extend_from_slice(&[0, 0, 0, 1, 0, 0]);
        assert_eq!(dimensions_cells(&r).unwrap(), 65_536 * 256);
    }
}
