package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Packed blobs survive a clean reopen; the index lives in the ledger.
func TestPackReopen(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []BlobID
	for i := range 50 {
		id, err := ws.Blobs.PutBytes([]byte(fmt.Sprintf("страница %d %s", i, bytes.Repeat([]byte("x"), i*10))))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	again, _ := ws.Blobs.PutBytes([]byte("страница 0 "))
	if again != ids[0] {
		t.Fatal("the same bytes got another ID")
	}
	if err := ws.Close(); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, blobDir, packDir, "*.open")); len(m) != 0 {
		t.Fatalf("a clean close left markers: %v", m)
	}
	ws, err = Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for i, id := range ids {
		raw, err := ws.Blobs.Read(id)
		if err != nil || string(raw) != fmt.Sprintf("страница %d %s", i, bytes.Repeat([]byte("x"), i*10)) {
			t.Fatalf("blob %d: %q, %v", i, raw, err)
		}
		if !ws.Blobs.Has(id) {
			t.Fatalf("blob %d not found", i)
		}
	}
	// Programs that read files get a file with the bytes.
	p := ws.Blobs.Path(ids[7])
	if raw, err := os.ReadFile(p); err != nil || !bytes.HasPrefix(raw, []byte("страница 7 ")) {
		t.Fatalf("Path %s: %q, %v", p, raw, err)
	}
	f, err := ws.Blobs.Open(ids[8])
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if st := ws.Blobs.PackStats(); st.Records != 50 || st.Segments != 1 || st.Live != st.Bytes {
		t.Fatalf("pack stats %+v", st)
	}
}

// A workspace written by the per-file store stays readable, and new
// bodies go to the pack beside it.
func TestPackReadsPerFileBlobs(t *testing.T) {
	dir := t.TempDir()
	data := []byte("тело страницы из старого хранилища")
	id := BlobID(sum256(data))
	s := id.String()
	if err := os.MkdirAll(filepath.Join(dir, blobDir, s[:2]), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, blobDir, s[:2], s), data, 0o600); err != nil {
		t.Fatal(err)
	}
	ws, err := Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if raw, err := ws.Blobs.Read(id); err != nil || !bytes.Equal(raw, data) || !ws.Blobs.Has(id) {
		t.Fatalf("per-file blob: %q, %v", raw, err)
	}
	if got, _ := ws.Blobs.PutBytes(data); got != id || ws.Blobs.PackStats().Records != 0 {
		t.Fatal("a body already kept as a file was packed again")
	}
	fresh, _ := ws.Blobs.PutBytes([]byte("новое"))
	if raw, err := ws.Blobs.Read(fresh); err != nil || string(raw) != "новое" {
		t.Fatalf("new blob: %q, %v", raw, err)
	}
}

// A segment damaged where a kill can tear it loses exactly the records
// in the damage; nothing damaged is ever returned.
func TestPackTornTail(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []BlobID
	for i := range 10 {
		id, _ := ws.Blobs.PutBytes(bytes.Repeat([]byte{byte('a' + i)}, 100))
		ids = append(ids, id)
	}
	ws.Close()
	seg := filepath.Join(dir, blobDir, packDir, segName(1))
	// Flip a byte in the last record without marking the segment: the
	// index still names it, and reading it fails rather than returning it.
	f, _ := os.OpenFile(seg, os.O_RDWR, 0)
	info, _ := f.Stat()
	f.WriteAt([]byte{0}, info.Size()-1)
	f.Close()
	ws, _ = Open(t.Context(), dir, Options{Command: "test"})
	if _, err := ws.Blobs.Read(ids[9]); !errors.Is(err, errBadRecord) {
		t.Fatalf("damaged record read: %v", err)
	}
	if _, err := ws.Blobs.Open(ids[9]); err == nil {
		t.Fatal("damaged record opened")
	}
	ws.Close()
	// Cut into the eighth record and mark the segment as being written.
	os.Truncate(seg, 7*(recordHeaderSize+100)+30)
	os.WriteFile(filepath.Join(dir, blobDir, packDir, "000001.open"), nil, 0o600)
	ws, err = Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for i, id := range ids {
		raw, err := ws.Blobs.Read(id)
		if i < 7 && (err != nil || !bytes.Equal(raw, bytes.Repeat([]byte{byte('a' + i)}, 100))) {
			t.Errorf("intact blob %d: %v", i, err)
		}
		if i >= 7 && (ws.Blobs.Has(id) || err == nil) {
			t.Errorf("torn blob %d still found", i)
		}
	}
	// Writing goes on in a new segment, and a lost body can be stored again.
	if _, err := ws.Blobs.PutBytes(bytes.Repeat([]byte{'h'}, 100)); err != nil || !ws.Blobs.Has(ids[7]) {
		t.Fatalf("the lost blob was not stored again: %v", err)
	}
}

func sum256(b []byte) [32]byte { return sha256.Sum256(b) }

// Writing moves to a new segment past maxSegment; once synced, the
// segments left behind lose their markers (a later kill cannot tear
// them), and only the one being written keeps its own.
func TestPackSegmentsRotate(t *testing.T) {
	defer func(n int64) { maxSegment = n }(maxSegment)
	maxSegment = 1000
	dir := t.TempDir()
	ws, err := Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []BlobID
	for i := range 20 {
		id, err := ws.Blobs.PutBytes(bytes.Repeat([]byte{byte(i)}, 300))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := ws.Blobs.Flush(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, blobDir, packDir, "*.seg"))
	marks, _ := filepath.Glob(filepath.Join(dir, blobDir, packDir, "*.open"))
	if len(segs) < 5 || len(marks) != 1 || filepath.Base(marks[0]) != strings.TrimSuffix(segName(uint32(len(segs))), ".seg")+".open" {
		t.Fatalf("%d segments, markers %v", len(segs), marks)
	}
	ws.Close()
	ws, err = Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for i, id := range ids {
		if raw, err := ws.Blobs.Read(id); err != nil || !bytes.Equal(raw, bytes.Repeat([]byte{byte(i)}, 300)) {
			t.Fatalf("blob %d: %v", i, err)
		}
	}
}
