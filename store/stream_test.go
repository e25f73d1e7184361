package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// A value encoded from a writer of its JSON reads back as the value, and
// takes the same form in the ledger as Encode's: raw when small, one zstd
// frame that says its size when large.
func TestEncodeJSONReadsBack(t *testing.T) {
	ws := TestStore(t)
	for _, n := range []int{0, 3, 2000, 300000} {
		v := &note{Text: strings.Repeat("текст <&> ", n), N: n}
		want, _ := json.Marshal(v)
		enc, err := notes.EncodeJSON(func(w io.Writer) error {
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			// in pieces, as a streaming writer writes
			for len(b) > 0 {
				k := min(len(b), 777)
				if _, err := w.Write(b[:k]); err != nil {
					return err
				}
				b = b[k:]
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if compressed(enc.s.b) != (len(want) >= compressMin) {
			t.Errorf("%d bytes of JSON: compressed %v", len(want), compressed(enc.s.b))
		}
		if raw := storedBack(t, ws, fmt.Sprint(n), enc); string(raw) != string(want) {
			t.Errorf("%d bytes of JSON read back as %d different bytes", len(want), len(raw))
		}
	}
}

// storedBack stores an encoded note under key and returns the bytes the
// ledger gives back for it.
func storedBack(t *testing.T, ws *Workspace, key string, enc Encoded[note]) []byte {
	t.Helper()
	if err := ws.Update(func(tx Tx) error { return notes.PutEncoded(tx, "o1", key, enc) }); err != nil {
		t.Fatal(err)
	}
	raw, err := ws.GetRecord(notes.Kind, "o1", key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// The writer is called once, and the frame it is compressed into says
// its size, whatever the size: on each side of compressMin and of the
// sizes where the header's size field grows (256 + 64 KiB, 4 GiB is past
// MaxRecordSize).
func TestEncodeJSONWritesOnceAndSaysTheSize(t *testing.T) {
	ws := TestStore(t)
	for _, n := range []int{compressMin - 1, compressMin, 65536 + 255, 65536 + 256, 65536 + 257, 3 << 20} {
		calls := 0
		// a JSON string of n bytes in all
		want := `"` + strings.Repeat("б", (n-2)/2) + strings.Repeat("a", (n-2)%2) + `"`
		enc, err := notes.EncodeJSON(func(w io.Writer) error {
			calls++
			for b := want; len(b) > 0; {
				k := min(len(b), 1000)
				if _, err := io.WriteString(w, b[:k]); err != nil {
					return err
				}
				b = b[k:]
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if calls != 1 || len(want) != n {
			t.Fatalf("%d bytes: the writer was called %d times", len(want), calls)
		}
		if compressed(enc.s.b) != (n >= compressMin) {
			t.Errorf("%d bytes of JSON: compressed %v", n, compressed(enc.s.b))
		}
		if compressed(enc.s.b) {
			var h zstd.Header
			if err := h.Decode(enc.s.b); err != nil || !h.HasFCS || h.FrameContentSize != uint64(n) {
				t.Errorf("%d bytes: the frame's header says %d (has a size: %v; %v)", n, h.FrameContentSize, h.HasFCS, err)
			}
		}
		if raw := storedBack(t, ws, fmt.Sprint(n), enc); string(raw) != want {
			t.Errorf("%d bytes of JSON read back as %d different bytes", n, len(raw))
		}
	}
}

// A writer's error is the encoding's, whether it fails before or after
// the value is large enough to compress.
func TestEncodeJSONReturnsTheWritersError(t *testing.T) {
	broken := errors.New("broken")
	for _, before := range []int{10, 5000} {
		_, err := notes.EncodeJSON(func(w io.Writer) error {
			if _, err := io.WriteString(w, `"`+strings.Repeat("a", before)); err != nil {
				return err
			}
			return broken
		})
		if !errors.Is(err, broken) {
			t.Errorf("after %d bytes: %v, want the writer's error", before, err)
		}
	}
}
