package faq

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/ikawaha/kagome-dict/dict"
	"github.com/ikawaha/kagome-dict/dict/trie"
)

// The lexicon's image is its large arrays (27 MB) written once to a cache
// file, as they lie in memory, and mapped from there by every later start.
// Mapped, they are the file's pages and not the process's heap: the kernel
// brings in only the pages a lookup touches, shares them between replicas
// on one host, and can drop them under pressure, and the garbage collector
// never sees them. The small parts (character classes, unknown words) are
// still read from the embedded zip, a few kilobytes of it.
//
// The image is only ever written whole (a temporary file, synced, then
// renamed), its name carries the fingerprint of the zip it was made from,
// and a checksum over all of it is verified before it is mapped, so a
// stale, torn or damaged file is rebuilt rather than read.

// imageMagic opens every image; the last byte is the layout's version.
const imageMagic = "mfadesk-lexicon\x01"

// The image's sections, in file order.
const (
	secIndex   = iota // the double array: {base, check int32} per node
	secDups           // {first id, count} of words that share a spelling
	secMorphs         // {left id, right id, weight int16} per word
	secCosts          // the connection matrix: int16, rows × columns
	secClass          // uint8 per word: its index in secClasses
	secOffsets        // uint32 per word and one more: where its text starts in secWords
	secWords          // base form, NUL, reading, per word
	secClasses        // "pos\tdependent\n" per class
	sectionCount
)

type imageHeader struct {
	Magic       [16]byte
	Fingerprint [32]byte // of the zip the image was made from
	Checksum    uint32   // CRC-32C of everything after the header
	_           uint32
	CostRows    int64
	CostCols    int64
	Sections    [sectionCount]struct{ Offset, Length uint64 } // in bytes
}

var headerSize = binary.Size(imageHeader{})

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// The image holds the arrays as this machine lays them out; where that is
// not little-endian the lexicon stays in memory.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// fingerprint names the dictionary a zip holds: each part's name, CRC and
// size, from the zip's central directory (its last few kilobytes), so
// nothing else of the embedded file is touched.
func fingerprint(zr *zip.Reader) [32]byte {
	h := sha256.New()
	h.Write([]byte(imageMagic))
	for _, f := range zr.File {
		fmt.Fprintf(h, "%s\x00%08x\x00%d\n", f.Name, f.CRC32, f.UncompressedSize64)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// imagePath is where the image of the dictionary with this fingerprint
// lives in dir.
func imagePath(dir string, fp [32]byte) string {
	return filepath.Join(dir, fmt.Sprintf("lexicon-%x.bin", fp[:8]))
}

// asBytes views a slice's backing array as bytes.
func asBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// asSlice views bytes as a slice of T; b must be aligned for T (sections
// are 8-aligned, and a mapping starts on a page).
func asSlice[T any](b []byte) []T {
	var zero T
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/int(unsafe.Sizeof(zero)))
}

// writeImage writes the large parts of a lexicon loaded from the zip into
// dir, atomically, and removes images of other dictionaries.
func writeImage(dir string, fp [32]byte, d *dict.Dict, l *lexicon) (path string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	dups := make([][2]int32, 0, len(d.Index.Dup))
	for id, n := range d.Index.Dup {
		dups = append(dups, [2]int32{id, n})
	}
	var classes strings.Builder
	for _, c := range l.classes {
		fmt.Fprintf(&classes, "%s\t%t\n", c.pos, c.dependent)
	}
	parts := [sectionCount][]byte{
		secIndex:   asBytes(d.Index.Da),
		secDups:    asBytes(dups),
		secMorphs:  asBytes(d.Morphs),
		secCosts:   asBytes(d.Connection.Vec),
		secClass:   l.class,
		secOffsets: asBytes(l.offsets),
		secWords:   []byte(l.words),
		secClasses: []byte(classes.String()),
	}
	h := imageHeader{CostRows: d.Connection.Row, CostCols: d.Connection.Col, Fingerprint: fp}
	copy(h.Magic[:], imageMagic)
	sum := crc32.New(castagnoli)
	at := uint64(headerSize)
	pad := make([]byte, 8)
	for i, p := range parts {
		at = (at + 7) &^ 7
		h.Sections[i].Offset, h.Sections[i].Length = at, uint64(len(p))
		at += uint64(len(p))
	}
	// The checksum covers the bytes after the header as they will be on
	// disk, padding included.
	at = uint64(headerSize)
	for i, p := range parts {
		sum.Write(pad[:h.Sections[i].Offset-at])
		sum.Write(p)
		at = h.Sections[i].Offset + uint64(len(p))
	}
	h.Checksum = sum.Sum32()

	tmp, err := os.CreateTemp(dir, ".lexicon-*.tmp")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err = binary.Write(w, binary.LittleEndian, &h); err != nil {
		return "", err
	}
	at = uint64(headerSize)
	for i, p := range parts {
		if _, err = w.Write(pad[:h.Sections[i].Offset-at]); err != nil {
			return "", err
		}
		if _, err = w.Write(p); err != nil {
			return "", err
		}
		at = h.Sections[i].Offset + uint64(len(p))
	}
	if err = w.Flush(); err != nil {
		return "", err
	}
	if err = tmp.Sync(); err != nil {
		return "", err
	}
	if err = tmp.Close(); err != nil {
		return "", err
	}
	path = imagePath(dir, fp)
	if err = os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	// Images of other dictionaries (an earlier version of the bot) are
	// dead weight; a process that still maps one keeps its pages.
	if old, _ := filepath.Glob(filepath.Join(dir, "lexicon-*.bin")); len(old) > 0 {
		for _, o := range old {
			if o != path {
				os.Remove(o)
			}
		}
	}
	return path, nil
}

// errNoImage reports that there is no image yet: not a fault.
var errNoImage = errors.New("no image")

// openImage maps the image at path and fills d and l with views of it.
// The file is checked (size, header, fingerprint, checksum) before any of
// it is believed.
func openImage(path string, fp [32]byte, d *dict.Dict, l *lexicon) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return errNoImage
	}
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	size := info.Size()
	var h imageHeader
	if err := binary.Read(io.NewSectionReader(f, 0, size), binary.LittleEndian, &h); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if string(h.Magic[:]) != imageMagic || h.Fingerprint != fp {
		return errors.New("made from another dictionary or by another version")
	}
	at := uint64(headerSize)
	for _, s := range h.Sections {
		if s.Offset < at || s.Offset%8 != 0 || s.Length > uint64(size) || s.Offset+s.Length > uint64(size) {
			return errors.New("sections out of bounds")
		}
		at = s.Offset + s.Length
	}
	if at != uint64(size) {
		return errors.New("size differs from its sections")
	}
	words := h.Sections[secClass].Length
	switch {
	case h.Sections[secMorphs].Length != words*uint64(unsafe.Sizeof(dict.Morph{})),
		h.Sections[secOffsets].Length != (words+1)*4,
		h.CostRows < 0 || h.CostCols < 0 || h.CostRows > 1<<16 || h.CostCols > 1<<16,
		h.Sections[secCosts].Length != uint64(h.CostRows*h.CostCols)*2:
		return errors.New("parts of different lengths")
	}
	// Read through the page cache, not the mapping, so that checking the
	// file does not make all of it resident in this process.
	sum := crc32.New(castagnoli)
	if _, err := io.Copy(sum, io.NewSectionReader(f, int64(headerSize), size-int64(headerSize))); err != nil {
		return err
	}
	if sum.Sum32() != h.Checksum {
		return errors.New("checksum mismatch")
	}
	data, err := mapFile(f, int(size))
	if err != nil {
		return err
	}
	mapped := false
	defer func() {
		if !mapped {
			unmapFile(data)
		}
	}()
	part := func(i int) []byte {
		s := h.Sections[i]
		return data[s.Offset : s.Offset+s.Length : s.Offset+s.Length]
	}
	offsets := asSlice[uint32](part(secOffsets))
	if offsets[words] != uint32(len(part(secWords))) {
		return errors.New("word offsets past the words")
	}
	var classes []posClass
	for _, line := range strings.Split(strings.TrimSuffix(string(part(secClasses)), "\n"), "\n") {
		pos, dependent, _ := strings.Cut(line, "\t")
		classes = append(classes, posClass{pos: pos, dependent: dependent == "true"})
	}
	for _, c := range part(secClass) {
		if int(c) >= len(classes) {
			return errors.New("word class out of range")
		}
	}
	d.Index.Da = trie.DoubleArray(asSlice[struct{ Base, Check int32 }](part(secIndex)))
	d.Index.Dup = map[int32]int32{}
	for _, p := range asSlice[[2]int32](part(secDups)) {
		d.Index.Dup[p[0]] = p[1]
	}
	d.Morphs = asSlice[dict.Morph](part(secMorphs))
	d.Connection = dict.ConnectionTable{Row: h.CostRows, Col: h.CostCols, Vec: asSlice[int16](part(secCosts))}
	l.class, l.classes, l.offsets, l.image = part(secClass), classes, offsets, data
	l.words = unsafe.String(unsafe.SliceData(part(secWords)), len(part(secWords)))
	mapped = true
	return nil
}
