package store

import (
	"bytes"
	"encoding/binary"
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
// frame, in blocks as it grows, and its one copy. It calls the writer once
// (a writer that must read what it writes, as a plan reads its pages'
// bodies, reads it once) and gives the frame's header the size after.

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
// writes, calling it once: what it writes goes into the compressor as it
// comes (its first compressMin bytes are held until it is known whether
// the value is large enough to compress), in a frame whose header does not
// yet say the content's size; when write is done the header is given the
// size (withContentSize), as a stored frame must say it (see decodeValue).
func encodeStream(write func(io.Writer) error) ([]byte, error) {
	sw := &streamWriter{}
	err := write(sw)
	if sw.enc != nil {
		if cerr := sw.enc.Close(); err == nil {
			err = cerr
		}
		sw.enc.Reset(nil)
		streamers.Put(sw.enc)
	}
	if err == nil {
		err = sw.err
	}
	if err != nil {
		return nil, err
	}
	if sw.n > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrRecordTooLarge, sw.n, MaxRecordSize)
	}
	if sw.enc == nil {
		return sw.head, nil
	}
	return withContentSize(&sw.out, sw.n)
}

// streamWriter is what encodeStream's write writes to: the first
// compressMin bytes are held in head, and from then on everything goes
// through a zstd encoder into out.
type streamWriter struct {
	head []byte
	enc  *zstd.Encoder
	out  chunkWriter
	n    int64
	err  error
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.n += int64(len(p))
	if s.n > MaxRecordSize {
		s.err = fmt.Errorf("%w: more than %d bytes", ErrRecordTooLarge, MaxRecordSize)
		return 0, s.err
	}
	if s.enc == nil {
		if len(s.head)+len(p) < compressMin {
			s.head = append(s.head, p...)
			return len(p), nil
		}
		got := streamers.Get()
		enc, ok := got.(*zstd.Encoder)
		if !ok {
			s.err = fmt.Errorf("record encoder: %w", got.(error))
			return 0, s.err
		}
		s.enc = enc
		enc.ResetContentSize(&s.out, -1) // not known yet
		if _, err := enc.Write(s.head); err != nil {
			s.err = err
			return 0, err
		}
		s.head = nil
	}
	if _, err := s.enc.Write(p); err != nil {
		s.err = err
		return 0, err
	}
	return len(p), nil
}

// withContentSize returns the zstd frame in out, made without its
// content's size, with the size n put into its header (RFC 8878,
// 3.1.1.1): the frame header descriptor's Frame_Content_Size_flag, and
// the field after the window descriptor. The encoder wrote a header of
// magic number, descriptor (no single segment, no dictionary, no size)
// and window descriptor; anything else is refused rather than patched.
// A value of one block the encoder compresses whole at the end, in a
// frame that says its size already: it is returned as it is.
func withContentSize(out *chunkWriter, n int64) ([]byte, error) {
	const headLen = 4 + 1 + 1 // magic, descriptor, window descriptor
	if len(out.chunks) > 0 {
		var h zstd.Header
		if err := h.Decode(out.chunks[0]); err == nil && h.HasFCS {
			if h.FrameContentSize != uint64(n) {
				return nil, fmt.Errorf("record encoder: a frame of %d bytes says %d", n, h.FrameContentSize)
			}
			return out.bytes(), nil
		}
	}
	if len(out.chunks) == 0 || len(out.chunks[0]) < headLen || !bytes.HasPrefix(out.chunks[0], zstdMagic) || out.chunks[0][4]&0xe3 != 0 {
		return nil, fmt.Errorf("record encoder: a frame header of an unexpected form")
	}
	var field []byte
	var flag byte
	switch {
	case n < 256:
		return nil, fmt.Errorf("record encoder: %d bytes is too few for a frame of its size", n)
	case n < 65536+256:
		flag, field = 1, binary.LittleEndian.AppendUint16(nil, uint16(n-256))
	case n <= 0xffffffff:
		flag, field = 2, binary.LittleEndian.AppendUint32(nil, uint32(n))
	default:
		flag, field = 3, binary.LittleEndian.AppendUint64(nil, uint64(n))
	}
	b := make([]byte, 0, out.n+len(field))
	b = append(b, out.chunks[0][:headLen]...)
	b[4] |= flag << 6
	b = append(b, field...)
	b = append(b, out.chunks[0][headLen:]...)
	for _, c := range out.chunks[1:] {
		b = append(b, c...)
	}
	return b, nil
}

// EncodeJSON is Encode for a value too large to hold its JSON: write
// writes the JSON of the value (exactly what json.Marshal would make of
// it) to w, once.
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
