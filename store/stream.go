package store

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// A value too large to hold its JSON whole (the plan of a site of 20,000
// pages is 140 MB of JSON and a sixth of that stored) is encoded from a
// writer of its JSON instead: json.Marshal would hold the JSON, the
// buffer it grew in and its copy at once, about three times its size,
// beside the compressed frame. EncodeJSON holds only the compressed
// frame, in blocks as it grows, and its one copy.

// streamers are the zstd encoders EncodeJSON writes through, one per
// value being encoded: the record codec's settings (codecs), on the
// caller's goroutine.
var streamers = sync.Pool{New: func() any {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithWindowSize(1<<20),
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(true),
		zstd.WithLowerEncoderMem(true))
	if err != nil {
		return err
	}
	return enc
}}

// countWriter counts what is written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// chunkWriter keeps what is written to it in blocks of up to chunkSize,
// so that growing never copies what was written.
type chunkWriter struct {
	chunks [][]byte
	n      int
}

const chunkSize = 1 << 20

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(c.chunks) == 0 || len(c.chunks[len(c.chunks)-1]) == cap(c.chunks[len(c.chunks)-1]) {
			c.chunks = append(c.chunks, make([]byte, 0, chunkSize))
		}
		last := &c.chunks[len(c.chunks)-1]
		k := min(len(p), cap(*last)-len(*last))
		*last = append(*last, p[:k]...)
		p = p[k:]
	}
	c.n += n
	return n, nil
}

// bytes returns everything written, in one slice of its size.
func (c *chunkWriter) bytes() []byte {
	out := make([]byte, 0, c.n)
	for _, b := range c.chunks {
		out = append(out, b...)
	}
	return out
}

// encodeStream returns as the ledger stores it the JSON that write
// writes. write is called twice and must write the same bytes both times:
// once to count them (a stored frame says its size, see decodeValue),
// once into the compressor.
func encodeStream(write func(io.Writer) error) ([]byte, error) {
	var count countWriter
	if err := write(&count); err != nil {
		return nil, err
	}
	if count.n > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrRecordTooLarge, count.n, MaxRecordSize)
	}
	if count.n < compressMin {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return nil, err
		}
		if int64(buf.Len()) != count.n {
			return nil, fmt.Errorf("the value's JSON was %d bytes, then %d", count.n, buf.Len())
		}
		return buf.Bytes(), nil
	}
	got := streamers.Get()
	enc, ok := got.(*zstd.Encoder)
	if !ok {
		return nil, fmt.Errorf("record encoder: %w", got.(error))
	}
	var out chunkWriter
	enc.ResetContentSize(&out, count.n)
	err := write(enc)
	if cerr := enc.Close(); err == nil && cerr != nil {
		// the frame said another size than was written
		err = fmt.Errorf("the value's JSON changed between its two writes: %w", cerr)
	}
	enc.Reset(nil)
	streamers.Put(enc)
	if err != nil {
		return nil, err
	}
	return out.bytes(), nil
}

// EncodeJSON is Encode for a value too large to hold its JSON: write
// writes the JSON of the value (exactly what json.Marshal would make of
// it) to w. It is called twice, and must write the same bytes both
// times: once to count them, once into the compressor.
func (r Record[T]) EncodeJSON(write func(w io.Writer) error) (Encoded[T], error) {
	stored, err := encodeStream(write)
	if err != nil {
		return Encoded[T]{}, fmt.Errorf("encode %s: %w", r.Kind, err)
	}
	return Encoded[T]{s: Stored{b: stored}}, nil
}

// PutEncoded stores under (org, key) a value Encode or EncodeJSON made.
func (r Record[T]) PutEncoded(tx Tx, org, key string, v Encoded[T]) error {
	return tx.PutStored(r.Kind, org, key, v.s)
}
