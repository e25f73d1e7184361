package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// A pack segment (blobs/pack/NNNNNN.seg) is an append-only file of
// records, each a fixed header followed by the blob's bytes:
//
//	magic   4 bytes  "PKR1"
//	length  4 bytes  big-endian length of the bytes that follow
//	id     32 bytes  the blob's SHA-256
//	sum     4 bytes  CRC-32C of the bytes
//	check   4 bytes  CRC-32C of the 44 header bytes before it
//
// The ledger's pack index says where each blob's record is; the
// header lets a segment be read on its own, to recover what the index
// lost or to find where a torn tail begins.
const (
	recordMagic      = "PKR1"
	recordHeaderSize = 48
	// maxRecordLen bounds a record's length as read, so that a damaged
	// header cannot ask for an absurd allocation: larger than any body the
	// crawler keeps in memory (pages are capped at 10 MB by default).
	maxRecordLen = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errBadRecord says a segment's bytes are not a whole, intact record:
// a torn tail, or damage.
var errBadRecord = errors.New("damaged pack record")

// recordHeader is a decoded record header.
type recordHeader struct {
	Len uint32
	ID  BlobID
	Sum uint32
}

// appendRecordHeader appends the header of a record holding data.
func appendRecordHeader(dst []byte, id BlobID, data []byte) []byte {
	start := len(dst)
	dst = append(dst, recordMagic...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(data)))
	dst = append(dst, id[:]...)
	dst = binary.BigEndian.AppendUint32(dst, crc32.Checksum(data, castagnoli))
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// decodeRecordHeader reads a record header from the first
// recordHeaderSize bytes of b.
func decodeRecordHeader(b []byte) (recordHeader, error) {
	var h recordHeader
	if len(b) < recordHeaderSize {
		return h, fmt.Errorf("%w: %d header bytes, want %d", errBadRecord, len(b), recordHeaderSize)
	}
	if string(b[:4]) != recordMagic {
		return h, fmt.Errorf("%w: no record magic", errBadRecord)
	}
	if got, want := crc32.Checksum(b[:44], castagnoli), binary.BigEndian.Uint32(b[44:48]); got != want {
		return h, fmt.Errorf("%w: header checksum %08x, want %08x", errBadRecord, got, want)
	}
	h.Len = binary.BigEndian.Uint32(b[4:8])
	if h.Len > maxRecordLen {
		return h, fmt.Errorf("%w: length %d over %d", errBadRecord, h.Len, maxRecordLen)
	}
	copy(h.ID[:], b[8:40])
	h.Sum = binary.BigEndian.Uint32(b[40:44])
	return h, nil
}

// packLoc is where a blob's record is: its segment, the record's offset
// in it, the blob's length and its CRC-32C.
type packLoc struct {
	Seg uint32
	Off uint32 // segments stay under 4 GB (maxSegment)
	Len uint32
	Sum uint32
}

// end is the offset just past the record.
func (l packLoc) end() int64 { return int64(l.Off) + recordHeaderSize + int64(l.Len) }

// The ledger's pack index holds an entry per record, keyed by where the
// record is (segment and offset, big-endian: new entries land at the end
// of the B+tree, so a commit writes few pages) and holding the blob's ID,
// length and checksum. Lookups by ID use the in-memory index built from
// it at open.
const (
	indexKeySize   = 8
	indexValueSize = 40
)

func indexKey(l packLoc) []byte {
	k := make([]byte, 0, indexKeySize)
	k = binary.BigEndian.AppendUint32(k, l.Seg)
	return binary.BigEndian.AppendUint32(k, l.Off)
}

func indexValue(id BlobID, l packLoc) []byte {
	v := make([]byte, 0, indexValueSize)
	v = append(v, id[:]...)
	v = binary.BigEndian.AppendUint32(v, l.Len)
	return binary.BigEndian.AppendUint32(v, l.Sum)
}

// decodeIndexEntry reads one entry of the ledger's pack index.
func decodeIndexEntry(k, v []byte) (packEntry, error) {
	if len(k) != indexKeySize || len(v) != indexValueSize {
		return packEntry{}, fmt.Errorf("pack index entry of %d+%d bytes, want %d+%d", len(k), len(v), indexKeySize, indexValueSize)
	}
	e := packEntry{ID: BlobID(v[:32]), Loc: packLoc{
		Seg: binary.BigEndian.Uint32(k[0:4]),
		Off: binary.BigEndian.Uint32(k[4:8]),
		Len: binary.BigEndian.Uint32(v[32:36]),
		Sum: binary.BigEndian.Uint32(v[36:40]),
	}}
	if e.Loc.Seg == 0 {
		return packEntry{}, errors.New("pack index entry names segment 0")
	}
	if e.Loc.Len > maxRecordLen {
		return packEntry{}, fmt.Errorf("pack index entry of length %d over %d", e.Loc.Len, maxRecordLen)
	}
	return e, nil
}

// checkRecord verifies that rec (a record's header and bytes, as read at
// loc) is the intact record of id.
func checkRecord(rec []byte, id BlobID, loc packLoc) error {
	h, err := decodeRecordHeader(rec)
	if err != nil {
		return err
	}
	switch {
	case h.ID != id:
		return fmt.Errorf("%w: holds blob %s", errBadRecord, h.ID)
	case h.Len != loc.Len || int64(len(rec)) != recordHeaderSize+int64(h.Len):
		return fmt.Errorf("%w: length %d, the index says %d", errBadRecord, h.Len, loc.Len)
	case loc.Sum != 0 && h.Sum != loc.Sum: // 0: not known (the in-memory index keeps none)
		return fmt.Errorf("%w: checksum %08x, the index says %08x", errBadRecord, h.Sum, loc.Sum)
	}
	if got := crc32.Checksum(rec[recordHeaderSize:], castagnoli); got != h.Sum {
		return fmt.Errorf("%w: bytes checksum %08x, want %08x", errBadRecord, got, h.Sum)
	}
	return nil
}
