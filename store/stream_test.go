package store

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
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
		key := fmt.Sprint(n)
		if err := ws.Update(func(tx Tx) error { return notes.PutEncoded(tx, "o1", key, enc) }); err != nil {
			t.Fatal(err)
		}
		raw, err := ws.GetRecord(notes.Kind, "o1", key)
		if err != nil {
			t.Fatal(err)
		}
		if string(raw) != string(want) {
			t.Errorf("%d bytes of JSON read back as %d different bytes", len(want), len(raw))
		}
	}
}

// A writer that writes other bytes the second time is refused, not
// stored with a frame that lies about its size.
func TestEncodeJSONRefusesAChangingWriter(t *testing.T) {
	calls := 0
	_, err := notes.EncodeJSON(func(w io.Writer) error {
		calls++
		_, err := io.WriteString(w, `{"text":"`+strings.Repeat("a", 1000*calls)+`"}`)
		return err
	})
	if err == nil {
		t.Fatal("a writer whose JSON changed between its writes was encoded")
	}
}
