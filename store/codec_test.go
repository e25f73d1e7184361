package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// storedBytes reads (kind, org, key) as bbolt holds it, past the codec.
func storedBytes(t *testing.T, ws *Workspace, kind, org, key string) []byte {
	t.Helper()
	var out []byte
	if err := ws.db.View(func(tx *bolt.Tx) error {
		b, _ := docBucket(tx, kind, org)
		if b == nil {
			return ErrNotFound
		}
		out = bytes.Clone(b.Get([]byte(key)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// putStoredBytes writes (kind, org, key) as bbolt will hold it, past the
// codec: what an older perenos, or damage, left there.
func putStoredBytes(t *testing.T, ws *Workspace, kind, org, key string, v []byte) {
	t.Helper()
	if err := ws.db.Update(func(tx *bolt.Tx) error {
		b, err := docBucket(tx, kind, org)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), v)
	}); err != nil {
		t.Fatal(err)
	}
}

// longNote is a note whose JSON is n bytes or a little more.
func longNote(n int) *note {
	return &note{Text: strings.Repeat("Сведения об образовательной организации. ", n/len("Сведения об образовательной организации. ")+1), N: n}
}

func TestRecordsRoundTripCompressedAndNot(t *testing.T) {
	for _, c := range []struct {
		name       string
		v          *note
		compressed bool
	}{
		{"empty", &note{}, false},
		{"small", &note{Text: "первая", N: 1}, false},
		{"just under the threshold", &note{Text: strings.Repeat("x", compressMin-len(`{"text":"","n":7}`)-1), N: 7}, false},
		{"at the threshold", &note{Text: strings.Repeat("x", compressMin-len(`{"text":"","n":7}`)), N: 7}, true},
		{"a page's document", longNote(17 << 10), true},
		{"larger than a block", longNote(300 << 10), true},
		{"larger than the window", longNote(3 << 20), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws := TestStore(t)
			if err := ws.Update(func(tx Tx) error { return notes.Put(tx, "o1", "k", c.v) }); err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(c.v)
			stored := storedBytes(t, ws, notes.Kind, "o1", "k")
			if got := compressed(stored); got != c.compressed {
				t.Errorf("JSON of %d bytes stored compressed = %v, want %v", len(raw), got, c.compressed)
			}
			if c.compressed && len(stored) >= len(raw) {
				t.Errorf("compressed to %d bytes from %d", len(stored), len(raw))
			}
			if !c.compressed && !bytes.Equal(stored, raw) {
				t.Errorf("stored %q, want the JSON as it is", stored)
			}
			got, err := notes.Get(ws, "o1", "k")
			if err != nil {
				t.Fatal(err)
			}
			if *got != *c.v {
				t.Errorf("Get = %.40q…, want %.40q…", got.Text, c.v.Text)
			}
			rec, err := ws.GetRecord(notes.Kind, "o1", "k")
			if err != nil || !bytes.Equal(rec, raw) {
				t.Errorf("GetRecord = %.40q… (%v), want the JSON", rec, err)
			}
			var viaGet note
			if err := ws.Get(notes.Kind, "o1", "k", &viaGet); err != nil || viaGet != *c.v {
				t.Errorf("Workspace.Get = %v", err)
			}
		})
	}
}

// TestEachRecordDecodesEveryValue reads a mix of small, large and
// version-4 (uncompressed large) values in one walk: the decode buffer
// shared by the walk must not leak one value into the next.
func TestEachRecordDecodesEveryValue(t *testing.T) {
	ws := TestStore(t)
	want := map[string]*note{
		"a": longNote(40 << 10), "b": {Text: "малая", N: 2}, "c": longNote(2 << 10), "d": longNote(90 << 10), "e": {N: 5},
	}
	if err := ws.Update(func(tx Tx) error { return notes.Replace(tx, "o1", want) }); err != nil {
		t.Fatal(err)
	}
	old := longNote(20 << 10)
	old.N = 4
	raw, _ := json.Marshal(old)
	putStoredBytes(t, ws, notes.Kind, "o1", "c2", raw)
	want["c2"] = old
	got, err := notes.All(ws, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("All read %d records, want %d", len(got), len(want))
	}
	for k, w := range want {
		if g := got[k]; g == nil || *g != *w {
			t.Errorf("%s: read %+.40v, want %+.40v", k, g, w)
		}
	}
	var n int
	if err := ws.ForEach(notes.Kind, "o1", func(key string, raw []byte) error {
		n++
		if !json.Valid(raw) {
			t.Errorf("ForEach %s: not JSON: %.40q", key, raw)
		}
		return nil
	}); err != nil || n != len(want) {
		t.Errorf("ForEach: %d records, %v", n, err)
	}
}

// TestVersion4ValueReads stores a large record as perenos did before
// records were compressed (plain JSON) and reads it back through every
// reader; writing it again compresses it.
func TestVersion4ValueReads(t *testing.T) {
	ws := TestStore(t)
	old := longNote(30 << 10)
	raw, _ := json.Marshal(old)
	putStoredBytes(t, ws, notes.Kind, "o1", "old", raw)
	got, err := notes.Get(ws, "o1", "old")
	if err != nil || *got != *old {
		t.Fatalf("Get of a version-4 record: %v", err)
	}
	if err := ws.Update(func(tx Tx) error { return notes.Put(tx, "o1", "old", got) }); err != nil {
		t.Fatal(err)
	}
	if stored := storedBytes(t, ws, notes.Kind, "o1", "old"); !compressed(stored) {
		t.Errorf("the record written again is not compressed (%d bytes)", len(stored))
	}
}

func TestEncodedRecordsReplaceTheSet(t *testing.T) {
	ws := TestStore(t)
	if err := ws.Update(func(tx Tx) error { return notes.Put(tx, "o1", "stale", longNote(4<<10)) }); err != nil {
		t.Fatal(err)
	}
	want := map[string]*note{"a": longNote(10 << 10), "b": {Text: "малая", N: 2}}
	enc := map[string]Encoded[note]{}
	for k, v := range want {
		e, err := notes.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(v)
		if len(raw) >= compressMin && e.Len() >= len(raw)/2 {
			t.Errorf("%s: encoded to %d bytes from %d", k, e.Len(), len(raw))
		}
		enc[k] = e
	}
	if err := ws.Update(func(tx Tx) error { return notes.ReplaceEncoded(tx, "o1", enc) }); err != nil {
		t.Fatal(err)
	}
	got, err := notes.All(ws, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || *got["a"] != *want["a"] || *got["b"] != *want["b"] {
		t.Errorf("after ReplaceEncoded: %d records (%v)", len(got), keys(got))
	}
	if err := ws.Update(func(tx Tx) error { return tx.PutStored(notes.Kind, "o1", "zero", Stored{}) }); err == nil {
		t.Error("PutStored took the zero Stored")
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCodecSharedAcrossGoroutines encodes and decodes from more
// goroutines than the codec has states (run under -race in CI): every
// value comes back as it was.
func TestCodecSharedAcrossGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			var buf []byte
			for i := range 40 {
				v := longNote(1<<10 + g*997 + i*131)
				v.N = g*1000 + i
				e, err := notes.Encode(v)
				if err != nil {
					errs <- err
					return
				}
				raw, err := decodeValue(e.s.b, buf)
				if err != nil {
					errs <- err
					return
				}
				buf = raw
				var back note
				if err := json.Unmarshal(raw, &back); err != nil || back != *v {
					errs <- fmt.Errorf("goroutine %d, value %d: round trip %v", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// zstdFrame is a frame of data as another zstd writer might make it.
func zstdFrame(t *testing.T, data []byte, opts ...zstd.EOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := zstd.NewWriter(&buf, opts...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDamagedRecordIsAnError stores damaged and hostile compressed values
// and reads them through every reader: each read is an error wrapping
// ErrCorruptRecord that names the record, and nothing panics or allocates
// what the value claims.
func TestDamagedRecordIsAnError(t *testing.T) {
	ws := TestStore(t)
	if err := ws.Update(func(tx Tx) error { return notes.Put(tx, "o1", "good", longNote(20<<10)) }); err != nil {
		t.Fatal(err)
	}
	good := storedBytes(t, ws, notes.Kind, "o1", "good")
	if !compressed(good) {
		t.Fatal("the good record is not compressed")
	}
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x5a
		return b
	}
	// A header that says 1 GiB: the magic, a descriptor with an 8-byte
	// single-segment content size, the size, then a raw block of zeros.
	huge := append(bytes.Clone(zstdMagic), 0xe0)
	huge = binary.LittleEndian.AppendUint64(huge, 1<<30)
	huge = append(huge, 0x01, 0x00, 0x00)
	unsized := zstdFrame(t, bytes.Repeat([]byte("{}"), 512<<10)) // more than a block: the writer says no size
	var h zstd.Header
	if err := h.Decode(unsized); err != nil || h.HasFCS {
		t.Fatalf("the unsized frame says a size (%v)", err)
	}
	// A frame that says 10 bytes and holds a raw block of 600: the magic,
	// a single-segment descriptor with a one-byte size, the size, the
	// block header (last, raw, 600 bytes).
	liar := append(bytes.Clone(zstdMagic), 0x20, 10)
	liar = binary.LittleEndian.AppendUint32(liar, 600<<3|1)[:len(liar)+3]
	liar = append(liar, bytes.Repeat([]byte("{"), 600)...)
	for _, c := range []struct {
		name  string
		value []byte
	}{
		{"a byte flipped in the middle", flip(len(good) / 2)},
		{"the checksum flipped", flip(len(good) - 1)},
		{"cut short", good[:len(good)*2/3]},
		{"only the magic", bytes.Clone(zstdMagic)},
		{"a content size of 1 GiB", huge},
		{"no content size", unsized},
		{"more than the content size says", liar},
		{"two frames", append(bytes.Clone(good), good...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			putStoredBytes(t, ws, notes.Kind, "o1", "bad", c.value)
			check := func(how string, err error) {
				t.Helper()
				if !errors.Is(err, ErrCorruptRecord) {
					t.Errorf("%s: %v, want ErrCorruptRecord", how, err)
					return
				}
				if !strings.Contains(err.Error(), "notes o1/bad") {
					t.Errorf("%s: %q does not name the record (notes o1/bad)", how, err)
				}
			}
			_, err := notes.Get(ws, "o1", "bad")
			check("Get", err)
			_, err = ws.GetRecord(notes.Kind, "o1", "bad")
			check("GetRecord", err)
			_, err = notes.All(ws, "o1")
			check("All", err)
			var v note
			check("Workspace.Get", ws.Get(notes.Kind, "o1", "bad", &v))
		})
	}
}

// TestHostileFrameAllocatesLittle decodes a frame of a few bytes that
// says it holds MaxRecordSize: the decoder must fail it without first
// allocating what the header claims.
func TestHostileFrameAllocatesLittle(t *testing.T) {
	v := append(bytes.Clone(zstdMagic), 0xe0)
	v = binary.LittleEndian.AppendUint64(v, MaxRecordSize)
	v = append(v, 0x19, 0x00, 0x00, '{', '}', ' ') // a raw last block of 3 bytes
	if _, err := decodeValue(v, nil); err != nil && !errors.Is(err, ErrCorruptRecord) {
		t.Fatalf("decode: %v", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := decodeValue(v, nil)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrCorruptRecord) {
		t.Errorf("a frame of 3 bytes that says %d: %v, want ErrCorruptRecord", MaxRecordSize, err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("decoding it allocated %d bytes", n)
	}
}

func TestRecordLargerThanTheLimitIsRefused(t *testing.T) {
	ws := TestStore(t)
	err := ws.Update(func(tx Tx) error {
		return tx.PutRecord(notes.Kind, "o1", "huge", make([]byte, MaxRecordSize+1))
	})
	if !errors.Is(err, ErrRecordTooLarge) || !strings.Contains(err.Error(), "notes o1/huge") {
		t.Errorf("PutRecord of %d bytes: %v, want ErrRecordTooLarge naming the record", MaxRecordSize+1, err)
	}
}

// FuzzDecodeValue feeds the decoder stored values as damage or a hostile
// hand could leave them: it must return JSON or an error, never panic,
// never more than MaxRecordSize; and every value encodeValue makes of the
// input decodes back to it. Seeds are in testdata/fuzz/FuzzDecodeValue.
func FuzzDecodeValue(f *testing.F) {
	f.Add([]byte(`{"url":"http://sch7.test/","text":"Учебный год"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := decodeValue(data, nil)
		if err == nil && len(out) > MaxRecordSize {
			t.Fatalf("decoded %d bytes, more than MaxRecordSize", len(out))
		}
		if err != nil && !errors.Is(err, ErrCorruptRecord) {
			t.Fatalf("error %v does not wrap ErrCorruptRecord", err)
		}
		if compressed(data) {
			return // not JSON: encodeValue is never given it
		}
		stored, err := encodeValue(data)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeValue(stored, []byte("left over from the last value"))
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("round trip of %d bytes: %d bytes back, %v", len(data), len(back), err)
		}
	})
}

// BenchmarkCodec measures what encodeValue and decodeValue cost a value
// at the threshold, where the fixed cost of a frame weighs most.
func BenchmarkCodec(b *testing.B) {
	for _, n := range []int{compressMin} {
		raw, _ := json.Marshal(longNote(n))
		stored, err := encodeValue(raw)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("encode %d", len(raw)), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				encodeValue(raw)
			}
		})
		b.Run(fmt.Sprintf("decode %d", len(raw)), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			var buf []byte
			for b.Loop() {
				buf, _ = decodeValue(stored, buf)
			}
		})
	}
}
