package store

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// A stage record's value is kept as its JSON, and, from compressMin bytes
// on, as one zstd frame of that JSON (the fastest level, with the frame's
// content size and checksum). The two tell themselves apart by their first
// bytes: a zstd frame starts with the magic number 28 b5 2f fd, which no
// JSON value can (JSON starts with '{', '[', '"', a digit, '-', t, f, n or
// white space). So a ledger written before records were compressed reads
// as it is, value by value, and nothing has to be rewritten.
//
// compressMin is 512 bytes: a frame costs about 13 bytes (magic, header,
// block header, checksum), and encoding and decoding a few microseconds
// whatever the size (BenchmarkCodec: 5 and 3 µs at 558 bytes); below 512
// bytes the records (a crawl run's 55 bytes, its stats' 130) shrink by
// tens of bytes, if at all, less than bbolt spends on each key, while
// every record that is large (a page's document, 10-90 KB; a plan; an
// attachment's text, 1.7 KB and more) is far above it.
const compressMin = 512

// MaxRecordSize bounds one record's JSON: larger values are refused when
// written, and a compressed value that would decode to more is refused
// when read, so that a damaged or hostile value cannot make a reader
// allocate without bound. A plan, the largest record, takes about 7 KB a
// page (21 MB for a site of 3,000 pages), so 256 MiB holds the plan of a
// site well past the crawl's 20,000-page cap.
const MaxRecordSize = 256 << 20

// zstdMagic starts every zstd frame (RFC 8878, 3.1.1).
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// ErrCorruptRecord says a stored record could not be decoded: its frame
// is damaged, or it would decode to more than MaxRecordSize.
var ErrCorruptRecord = errors.New("stored record is damaged")

// ErrRecordTooLarge says a record's JSON is larger than MaxRecordSize.
var ErrRecordTooLarge = errors.New("record is larger than the ledger keeps")

// codecs are the one encoder and decoder of the process. EncodeAll and
// DecodeAll are safe for concurrent use; each runs on the goroutine that
// calls it and takes one of n internal states (n = GOMAXPROCS, at most 4),
// so at most n encode (or decode) at once, more wait, and the memory they
// keep is bounded: an encoder state is a 256 KB hash table, its block
// buffers and, once it has compressed a value larger than a block (64 KB),
// a history of the 1 MB window; a decoder state keeps its block buffers
// (low-memory mode) and decodes into the caller's slice.
var codecs = sync.OnceValues(func() (*codec, error) {
	n := min(runtime.GOMAXPROCS(0), 4)
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithWindowSize(1<<20),
		zstd.WithEncoderConcurrency(n),
		zstd.WithEncoderCRC(true),
		zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, fmt.Errorf("record encoder: %w", err)
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(n),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(MaxRecordSize),
		zstd.WithDecoderMaxWindow(MaxRecordSize))
	if err != nil {
		return nil, fmt.Errorf("record decoder: %w", err)
	}
	return &codec{enc: enc, dec: dec}, nil
})

type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

// scratch holds the buffers EncodeAll writes into: it sizes its output
// for the whole input, and a stage that keeps thousands of values must
// keep only what they compressed to.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

// encodeValue returns raw as the ledger stores it: raw itself when it is
// small, else a zstd frame of it in a slice of its own size.
func encodeValue(raw []byte) ([]byte, error) {
	if len(raw) > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrRecordTooLarge, len(raw), MaxRecordSize)
	}
	if len(raw) < compressMin {
		return raw, nil
	}
	c, err := codecs()
	if err != nil {
		return nil, err
	}
	buf := scratch.Get().(*[]byte)
	out := c.enc.EncodeAll(raw, (*buf)[:0])
	stored := bytes.Clone(out)
	*buf = out[:0]
	scratch.Put(buf)
	return stored, nil
}

// recordError names the record an error of decodeValue is about, and
// says what to do about a damaged one.
func recordError(kind, org, key string, err error) error {
	if errors.Is(err, ErrCorruptRecord) {
		return fmt.Errorf("%s %s/%s: %w (run the stage that writes %s records again for %s, or restore the ledger from a backup)", kind, org, key, err, kind, org)
	}
	return fmt.Errorf("%s %s/%s: %w", kind, org, key, err)
}

// compressed says whether a stored value is a zstd frame.
func compressed(stored []byte) bool { return bytes.HasPrefix(stored, zstdMagic) }

// decodeValue returns the JSON of a stored value, appended to dst[:0]
// when it was compressed; an uncompressed value is returned as it is.
// The error wraps ErrCorruptRecord.
func decodeValue(stored, dst []byte) ([]byte, error) {
	if !compressed(stored) {
		return stored, nil
	}
	c, err := codecs()
	if err != nil {
		return nil, err
	}
	// Our frames say their size; one that does not, or says more than a
	// record may be, is refused before anything is allocated for it. The
	// decoder allocates no more than the input can decode to, stops at
	// MaxRecordSize, and fails a frame whose blocks do not add up to its
	// size; a value that decodes to more than its first frame said holds
	// a second frame, which our encoder never writes.
	var h zstd.Header
	if err := h.Decode(stored); err != nil {
		return nil, fmt.Errorf("%w: frame header: %w", ErrCorruptRecord, err)
	}
	if !h.HasFCS || h.FrameContentSize > MaxRecordSize {
		return nil, fmt.Errorf("%w: the frame does not say a size of at most %d MiB", ErrCorruptRecord, MaxRecordSize>>20)
	}
	out, err := c.dec.DecodeAll(stored, dst[:0])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptRecord, err)
	}
	if uint64(len(out)) != h.FrameContentSize {
		return nil, fmt.Errorf("%w: %d bytes where the frame says %d", ErrCorruptRecord, len(out), h.FrameContentSize)
	}
	return out, nil
}

// Stored is one record's value as the ledger keeps it: its JSON,
// compressed when large. Only this package makes one (Record.Encode), so
// that a stage can hold its results in this form until its commit (a
// page's document in a sixth of its JSON) instead of as decoded values;
// Tx.PutStored writes it as it is.
type Stored struct{ b []byte }

// Len is the number of bytes the value takes in the ledger.
func (s Stored) Len() int { return len(s.b) }

// Encoded is a value of T in the form the ledger keeps it (Record.Encode);
// Record.ReplaceEncoded writes it as it is.
type Encoded[T any] struct{ s Stored }

// Len is the number of bytes the value takes in the ledger.
func (e Encoded[T]) Len() int { return e.s.Len() }
