package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRecordHeaderRoundTrip(t *testing.T) {
	data := []byte("страница")
	id := BlobID(sha256.Sum256(data))
	rec := append(appendRecordHeader(nil, id, data), data...)
	h, err := decodeRecordHeader(rec)
	if err != nil || h.ID != id || int(h.Len) != len(data) {
		t.Fatalf("%+v, %v", h, err)
	}
	loc := packLoc{Seg: 3, Off: 96, Len: h.Len, Sum: h.Sum}
	if err := checkRecord(rec, id, loc); err != nil {
		t.Fatal(err)
	}
	if got, err := decodeIndexEntry(indexKey(loc), indexValue(id, loc)); err != nil || got.Loc != loc || got.ID != id {
		t.Fatalf("%+v, %v", got, err)
	}
	for i := range rec {
		bad := bytes.Clone(rec)
		bad[i] ^= 0x40
		if err := checkRecord(bad, id, loc); !errors.Is(err, errBadRecord) {
			t.Fatalf("a flipped byte %d passed: %v", i, err)
		}
	}
}

// FuzzRecordDecoders feeds arbitrary bytes to the header and index
// decoders and, as a segment, to the recovery scan: none may panic, and
// every record the scan keeps must check out.
func FuzzRecordDecoders(f *testing.F) {
	data := []byte("<html>страница</html>")
	id := BlobID(sha256.Sum256(data))
	rec := append(appendRecordHeader(nil, id, data), data...)
	f.Add(rec)
	f.Add(append(bytes.Clone(rec), rec[:50]...))
	f.Add(append(indexKey(packLoc{Seg: 1}), indexValue(id, packLoc{Seg: 1, Len: 5})...))
	f.Add([]byte("PKR1"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, err := decodeRecordHeader(b); err == nil && h.Len > maxRecordLen {
			t.Fatalf("length %d accepted", h.Len)
		}
		if len(b) >= indexKeySize {
			if e, err := decodeIndexEntry(b[:indexKeySize], b[indexKeySize:]); err == nil && (e.Loc.Seg == 0 || len(b) != indexKeySize+indexValueSize) {
				t.Fatalf("entry %+v accepted from %d bytes", e, len(b))
			}
		}
		p := filepath.Join(dir, "seg")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		good, err := scanSegment(fh, 1)
		if err != nil {
			t.Fatal(err)
		}
		for id, loc := range good {
			if loc.end() > int64(len(b)) {
				t.Fatalf("record past the end: %+v", loc)
			}
			if err := checkRecord(b[loc.Off:loc.end()], id, loc); err != nil {
				t.Fatalf("kept a bad record: %v", err)
			}
		}
	})
}
