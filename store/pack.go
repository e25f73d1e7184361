package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// The pack: blobs written whole from memory (pages, and attachments and
// images up to the crawler's small-file size) are appended to segment
// files, many to a file, instead of one file each. A group commit makes
// them durable with one fdatasync of the segment being written (sync),
// then records where each is in the ledger's pack index in the same
// transaction that marks their pages done (putIndex): a page is done only
// once its body is durable.
//
// A segment being written has a marker file beside it (NNNNNN.open),
// removed when the workspace closes cleanly. A marker found at open means
// the process died while writing that segment: its records are read back
// one by one (recoverSegment); index entries whose records are torn or
// damaged are dropped, so that their pages count as missing and the
// crawl fetches them again, and intact records the index lacks are added.
// Nothing is ever read without its checksum matching.
//
// Dead bytes: the pack is append-only. A recrawl that fetches the same
// bytes stores nothing new (blobs are named by content); changed bytes are
// appended and the old record stays, still readable by its ID (the
// previous crawl's pages and diffs name it). Records written but never
// committed (a kill before the commit) are garbage. Nothing deletes
// blobs, as the per-file store never did; PackStats reports the pack's
// size for the operator.
const (
	packDir = "pack"
)

// maxSegment is the size after which writing moves to a new segment: it
// bounds what a recovery rereads after a kill. A variable for tests.
var maxSegment int64 = 128 << 20

// bPackIndex is the ledger's pack index (see indexKey); the key
// packLastKey holds the highest segment number ever used.
var (
	bPackIndex  = []byte("blobpack")
	packLastKey = []byte("\x00last")
)

// packKey is the in-memory index's key: the first 12 bytes of a blob's
// ID. Every read checks the record's whole ID, so a clash (about 2^-58
// for a region's half a million blobs) could only make a blob look
// absent, never wrong.
type packKey [12]byte

func keyOf(id BlobID) packKey { return packKey(id[:12]) }

// memLoc is the in-memory index's value: a packLoc without its checksum,
// which the record's own header carries (12 bytes rather than 16: the
// index is about 46 bytes a blob in memory).
type memLoc struct{ Seg, Off, Len uint32 }

func (m memLoc) loc() packLoc { return packLoc{Seg: m.Seg, Off: m.Off, Len: m.Len} }

func memOf(l packLoc) memLoc { return memLoc{Seg: l.Seg, Off: l.Off, Len: l.Len} }

// pack is the segment store inside Blobs.
type pack struct {
	dir string
	db  *bolt.DB

	mu    sync.RWMutex
	index map[packKey]memLoc  // every durable-or-written record this workspace knows
	files map[uint32]*os.File // open segments, for reading (and the current one for writing)
	sizes map[uint32]int64    // sizes of sealed segments, for bounds checks
	last  uint32              // highest segment number used
	cur   *os.File            // segment being appended to, nil until the first write
	seg   uint32              // its number
	end   int64               // its length
	fresh []packEntry         // written since the last sync
	dirty map[uint32]*os.File // segments written since the last sync
	// sealed are the segments left for a new one since the last sync,
	// whose markers the next sync removes.
	sealed []uint32
	buf    []byte

	flushMu sync.Mutex  // one sync-and-index at a time
	durable []packEntry // synced, not yet in the ledger's index
}

type packEntry struct {
	ID  BlobID
	Loc packLoc
}

func segName(n uint32) string { return fmt.Sprintf("%06d.seg", n) }

// openPack loads the ledger's pack index and recovers any segment a
// killed process was writing.
func openPack(dir string, db *bolt.DB) (*pack, error) {
	p := &pack{dir: filepath.Join(dir, packDir), db: db, index: map[packKey]memLoc{},
		files: map[uint32]*os.File{}, sizes: map[uint32]int64{}, dirty: map[uint32]*os.File{}}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return nil, fmt.Errorf("create pack folder %s: %w", p.dir, err)
	}
	segs, open, err := p.list()
	if err != nil {
		return nil, err
	}
	exists := false
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPackIndex)
		if b == nil {
			return nil
		}
		exists = true
		if v := b.Get(packLastKey); len(v) == 4 {
			p.last = uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
		}
		// In key order, so that a blob stored again later (its first
		// record lost) is found at its latest place.
		return b.ForEach(func(k, v []byte) error {
			if len(k) != indexKeySize {
				return nil
			}
			e, err := decodeIndexEntry(k, v)
			if err != nil {
				return fmt.Errorf("pack index entry %x: %w", k, err)
			}
			p.index[keyOf(e.ID)] = memOf(e.Loc)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read the pack index: %w", err)
	}
	if !exists {
		if err := db.Update(func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists(bPackIndex)
			return err
		}); err != nil {
			return nil, fmt.Errorf("create the pack index: %w", err)
		}
	}
	for n, size := range segs {
		p.sizes[n] = size
		p.last = max(p.last, n)
	}
	for _, n := range open {
		if err := p.recoverSegment(n); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// list returns the segments in the pack folder with their sizes, and the
// numbers of those with a marker (being written when a process died).
func (p *pack) list() (map[uint32]int64, []uint32, error) {
	ents, err := os.ReadDir(p.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("list the pack folder: %w", err)
	}
	segs := map[uint32]int64{}
	var open []uint32
	for _, e := range ents {
		name, ext, _ := strings.Cut(e.Name(), ".")
		n, err := strconv.ParseUint(name, 10, 32)
		if err != nil || n == 0 {
			continue
		}
		switch ext {
		case "seg":
			info, err := e.Info()
			if err != nil {
				return nil, nil, fmt.Errorf("pack segment %s: %w", e.Name(), err)
			}
			segs[uint32(n)] = info.Size()
		case "open":
			open = append(open, uint32(n))
		}
	}
	sort.Slice(open, func(i, j int) bool { return open[i] < open[j] })
	return segs, open, nil
}

func (p *pack) marker(n uint32) string {
	return filepath.Join(p.dir, strings.TrimSuffix(segName(n), ".seg")+".open")
}

// recoverSegment rereads segment n, which a process was writing when it
// died: index entries whose record there is not intact are dropped, and
// intact records missing from the index are added. The segment is not
// written to again.
func (p *pack) recoverSegment(n uint32) error {
	good := map[BlobID]packLoc{}
	f, err := os.Open(filepath.Join(p.dir, segName(n)))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("recover pack segment %d: %w", n, err)
	default:
		good, err = scanSegment(f, n)
		f.Close()
		if err != nil {
			return fmt.Errorf("recover pack segment %d: %w", n, err)
		}
	}
	dropped, added := 0, 0
	err = p.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bPackIndex)
		if err != nil {
			return err
		}
		// The segment's entries are the keys that start with its number.
		var drop [][]byte
		prefix := indexKey(packLoc{Seg: n})[:4]
		indexed := map[uint32]bool{}
		cur := b.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			e, err := decodeIndexEntry(k, v)
			if err != nil {
				continue
			}
			if g, ok := good[e.ID]; !ok || g != e.Loc {
				drop = append(drop, append([]byte(nil), k...))
				if p.index[keyOf(e.ID)] == memOf(e.Loc) {
					delete(p.index, keyOf(e.ID))
				}
				continue
			}
			indexed[e.Loc.Off] = true
		}
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
			dropped++
		}
		for id, loc := range good {
			if indexed[loc.Off] {
				continue
			}
			if _, ok := p.index[keyOf(id)]; ok {
				continue // kept elsewhere
			}
			if err := b.Put(indexKey(loc), indexValue(id, loc)); err != nil {
				return err
			}
			p.index[keyOf(id)] = memOf(loc)
			added++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recover pack segment %d: %w", n, err)
	}
	if dropped > 0 || added > 0 {
		slog.Warn("pack segment recovered after an unclean stop", "segment", n, "records", len(good), "dropped", dropped, "recovered", added)
	}
	if err := os.Remove(p.marker(n)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("recover pack segment %d: %w", n, err)
	}
	return nil
}

// scanSegment reads a segment's records from the start and returns the
// intact ones. It stops at the first header that is not whole and intact
// (a torn tail: nothing after it can be trusted to start a record); a
// record whose header is intact but whose bytes are not is skipped.
func scanSegment(f *os.File, n uint32) (map[BlobID]packLoc, error) {
	good := map[BlobID]packLoc{}
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	var head [recordHeaderSize]byte
	var data []byte
	for off := int64(0); off+recordHeaderSize <= size && off < 1<<32; {
		if _, err := f.ReadAt(head[:], off); err != nil {
			return good, nil
		}
		h, err := decodeRecordHeader(head[:])
		if err != nil || off+recordHeaderSize+int64(h.Len) > size {
			break
		}
		data = append(data[:0], head[:]...)
		data = append(data, make([]byte, h.Len)...)
		if _, err := f.ReadAt(data[recordHeaderSize:], off+recordHeaderSize); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		loc := packLoc{Seg: n, Off: uint32(off), Len: h.Len, Sum: h.Sum}
		if checkRecord(data, h.ID, loc) == nil {
			good[h.ID] = loc
		}
		off = loc.end()
	}
	return good, nil
}

// lookup returns where id's record is, if the pack holds it.
func (p *pack) lookup(id BlobID) (packLoc, bool) {
	p.mu.RLock()
	m, ok := p.index[keyOf(id)]
	p.mu.RUnlock()
	return m.loc(), ok
}

// has reports whether id's record is in the pack and within its
// segment's bytes (a truncated segment loses the records past its end).
func (p *pack) has(id BlobID) bool {
	loc, ok := p.lookup(id)
	if !ok {
		return false
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.withinLocked(loc)
}

// withinLocked reports whether loc lies within its segment's bytes
// (caller holds p.mu).
func (p *pack) withinLocked(loc packLoc) bool {
	size, ok := p.sizes[loc.Seg]
	if loc.Seg == p.seg && p.cur != nil {
		size, ok = p.end, true
	}
	return ok && loc.end() <= size
}

// file returns segment n opened for reading.
func (p *pack) file(n uint32) (*os.File, error) {
	p.mu.RLock()
	f := p.files[n]
	p.mu.RUnlock()
	if f != nil {
		return f, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.files[n]; f != nil {
		return f, nil
	}
	f, err := os.Open(filepath.Join(p.dir, segName(n)))
	if err != nil {
		return nil, err
	}
	p.files[n] = f
	return f, nil
}

// read returns id's bytes from the pack, checked against its checksums.
func (p *pack) read(id BlobID, loc packLoc) ([]byte, error) {
	f, err := p.file(loc.Seg)
	if err != nil {
		return nil, fmt.Errorf("blob %s: pack segment %d: %w", id, loc.Seg, err)
	}
	return p.readFrom(f, id, loc)
}

// readFrom reads and checks id's record at loc from segment file f.
func (p *pack) readFrom(f *os.File, id BlobID, loc packLoc) ([]byte, error) {
	rec := make([]byte, recordHeaderSize+int(loc.Len))
	if _, err := f.ReadAt(rec, int64(loc.Off)); err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: the segment ends inside it", errBadRecord)
		}
		return nil, fmt.Errorf("blob %s in pack segment %d at %d: %w", id, loc.Seg, loc.Off, err)
	}
	if err := checkRecord(rec, id, loc); err != nil {
		return nil, fmt.Errorf("blob %s in pack segment %d at %d: %w", id, loc.Seg, loc.Off, err)
	}
	return rec[recordHeaderSize:], nil
}

// write appends data's record (unless the pack already has id) and
// returns at once: sync makes it durable.
func (p *pack) write(id BlobID, data []byte) error {
	if len(data) > maxRecordLen {
		return fmt.Errorf("blob of %d bytes: %w of %d for the pack", len(data), ErrTooLarge, maxRecordLen)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if m, ok := p.index[keyOf(id)]; ok && p.withinLocked(m.loc()) {
		return nil
	}
	if p.cur == nil || p.end+recordHeaderSize+int64(len(data)) > maxSegment && p.end > 0 {
		if err := p.startSegment(); err != nil {
			return err
		}
	}
	p.buf = appendRecordHeader(p.buf[:0], id, data)
	p.buf = append(p.buf, data...)
	if _, err := p.cur.WriteAt(p.buf, p.end); err != nil {
		// The bytes may be partly written: leave the segment, so that no
		// later record follows a torn one, and keep its marker, so that
		// the next open rereads it.
		p.sizes[p.seg] = p.end
		p.cur = nil
		return fmt.Errorf("blob store: write pack segment %d: %w", p.seg, err)
	}
	if cap(p.buf) > 4<<20 {
		p.buf = nil // do not keep a large body's buffer
	}
	loc := packLoc{Seg: p.seg, Off: uint32(p.end), Len: uint32(len(data)), Sum: crcOf(p.buf, data)}
	p.end = loc.end()
	p.index[keyOf(id)] = memOf(loc)
	p.fresh = append(p.fresh, packEntry{ID: id, Loc: loc})
	p.dirty[p.seg] = p.cur
	return nil
}

// crcOf is data's checksum, read back from the header just built in buf
// (or computed again if buf was let go).
func crcOf(buf, data []byte) uint32 {
	if len(buf) >= recordHeaderSize {
		return uint32(buf[40])<<24 | uint32(buf[41])<<16 | uint32(buf[42])<<8 | uint32(buf[43])
	}
	h := appendRecordHeader(nil, BlobID{}, data)
	return uint32(h[40])<<24 | uint32(h[41])<<16 | uint32(h[42])<<8 | uint32(h[43])
}

// startSegment moves writing to a new segment (caller holds p.mu).
func (p *pack) startSegment() error {
	p.sealLocked()
	n := p.last + 1
	if err := os.WriteFile(p.marker(n), nil, 0o600); err != nil {
		return fmt.Errorf("blob store: mark pack segment %d: %w", n, err)
	}
	f, err := os.OpenFile(filepath.Join(p.dir, segName(n)), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("blob store: create pack segment %d: %w", n, err)
	}
	// The new segment's name must survive a crash with its bytes.
	if err := syncDir(p.dir); err != nil {
		f.Close()
		return fmt.Errorf("blob store: create pack segment %d: %w", n, err)
	}
	p.last, p.seg, p.cur, p.end = n, n, f, 0
	p.files[n] = f
	return nil
}

// sealLocked stops appending to the current segment; it stays open for
// reading and, if written since the last sync, is synced by the next.
func (p *pack) sealLocked() {
	if p.cur == nil {
		return
	}
	p.sizes[p.seg] = p.end
	p.sealed = append(p.sealed, p.seg)
	p.cur = nil
}

// sync makes every record written so far durable (one fdatasync per
// segment written since the last sync) and returns the records synced and
// not yet in the ledger's index. Caller holds p.flushMu.
func (p *pack) sync() ([]packEntry, error) {
	p.mu.Lock()
	fresh, dirty, sealed := p.fresh, p.dirty, p.sealed
	p.fresh, p.dirty, p.sealed = nil, map[uint32]*os.File{}, nil
	p.mu.Unlock()
	for n, f := range dirty {
		if err := fdatasync(f); err != nil {
			p.mu.Lock()
			p.fresh = append(fresh, p.fresh...)
			for k, v := range dirty {
				p.dirty[k] = v
			}
			p.sealed = append(sealed, p.sealed...)
			p.mu.Unlock()
			return nil, fmt.Errorf("blob store: sync pack segment %d: %w", n, err)
		}
	}
	// A segment left for the next one is now whole on disk: a kill from
	// here on cannot tear it, so it needs no rereading at the next open.
	for _, n := range sealed {
		if err := os.Remove(p.marker(n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			slog.Warn("pack segment marker not removed", "segment", n, "err", err)
		}
	}
	p.durable = append(p.durable, fresh...)
	return p.durable, nil
}

// putIndex records entries (and the highest segment number) in the
// ledger's pack index, inside tx.
func (p *pack) putIndex(tx *bolt.Tx, es []packEntry) error {
	if len(es) == 0 {
		return nil
	}
	b, err := tx.CreateBucketIfNotExists(bPackIndex)
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := b.Put(indexKey(e.Loc), indexValue(e.ID, e.Loc)); err != nil {
			return fmt.Errorf("pack index: %w", err)
		}
	}
	p.mu.RLock()
	last := p.last
	p.mu.RUnlock()
	return b.Put(packLastKey, []byte{byte(last >> 24), byte(last >> 16), byte(last >> 8), byte(last)})
}

// indexed says the first n durable entries are now in the ledger's
// index. Caller holds p.flushMu.
func (p *pack) indexed(n int) {
	p.durable = append(p.durable[:0], p.durable[n:]...)
}

// flush syncs and indexes in a transaction of its own.
func (p *pack) flush() error {
	p.flushMu.Lock()
	defer p.flushMu.Unlock()
	es, err := p.sync()
	if err != nil || len(es) == 0 {
		return err
	}
	if err := p.db.Update(func(tx *bolt.Tx) error { return p.putIndex(tx, es) }); err != nil {
		return fmt.Errorf("blob store: pack index: %w", err)
	}
	p.indexed(len(es))
	return nil
}

// close flushes, removes the current segment's marker (a clean stop) and
// closes the segments.
func (p *pack) close() error {
	err := p.flush()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil && err == nil {
		if rerr := os.Remove(p.marker(p.seg)); rerr != nil {
			err = fmt.Errorf("blob store: %w", rerr)
		}
	}
	p.sealLocked()
	for n, f := range p.files {
		f.Close()
		delete(p.files, n)
	}
	return err
}

// PackStats says how large the pack is.
type PackStats struct {
	Segments int   `json:"segments"`
	Records  int   `json:"records"`
	Bytes    int64 `json:"bytes"` // of the segments, live and dead
	Live     int64 `json:"live_bytes"`
}

func (p *pack) stats() PackStats {
	p.mu.RLock()
	defer p.mu.RUnlock()
	st := PackStats{Records: len(p.index)}
	for n, size := range p.sizes {
		if n != p.seg || p.cur == nil {
			st.Segments++
			st.Bytes += size
		}
	}
	if p.cur != nil {
		st.Segments++
		st.Bytes += p.end
	}
	for _, m := range p.index {
		st.Live += recordHeaderSize + int64(m.Len)
	}
	return st
}

// entries returns every indexed record, in segment order.
func (p *pack) entries() []packEntry {
	var out []packEntry
	_ = p.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPackIndex)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if e, err := decodeIndexEntry(k, v); err == nil {
				out = append(out, e)
			}
			return nil
		})
	})
	return out
}

// ListBlobs calls fn with every blob kept in the blob folder dir, as
// files or in pack segments, reading the folder alone (not the ledger):
// for checks of a workspace that another process holds. Packed records
// are listed as they are found, intact ones only; a record written but
// never committed is listed too.
func ListBlobs(dir string, fn func(id BlobID, data []byte) error) error {
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(dir), p)
		if d.IsDir() || !isBlobPath(filepath.ToSlash(rel)) {
			return nil
		}
		id, err := ParseBlobID(d.Name())
		if err != nil {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return fn(id, data)
	})
	if err != nil {
		return fmt.Errorf("list blobs of %s: %w", dir, err)
	}
	pk := &pack{dir: filepath.Join(dir, packDir)}
	segs, _, err := pk.list()
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	nums := make([]uint32, 0, len(segs))
	for n := range segs {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	for _, n := range nums {
		f, err := os.Open(filepath.Join(pk.dir, segName(n)))
		if err != nil {
			return fmt.Errorf("list blobs of %s: %w", dir, err)
		}
		good, err := scanSegment(f, n)
		if err == nil {
			for id, loc := range good {
				var data []byte
				if data, err = pk.readFrom(f, id, loc); err == nil {
					err = fn(id, data)
				}
				if err != nil {
					break
				}
			}
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("list blobs of %s: segment %d: %w", dir, n, err)
		}
	}
	return nil
}
