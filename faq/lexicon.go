package faq

import (
	"archive/zip"
	"bufio"
	"bytes"
	"embed"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	_ "unsafe" // go:linkname, for the IPA dictionary's embedded file

	"github.com/ikawaha/kagome-dict/dict"
	_ "github.com/ikawaha/kagome-dict/ipa" // the dictionary file, read through ipaFiles
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// ipaFiles is the IPA dictionary as kagome-dict/ipa embeds it (a zip of
// the dictionary's parts). That package only offers the dictionary fully
// loaded, and keeps it for the life of the process: 75 MB, 99 % of it the
// nine feature strings of each of its 392,000 words and their
// part-of-speech lists, of which the matcher reads three facts. Reading
// the file here lets the lexicon keep only those. The name is pinned by
// go.mod's version of kagome-dict; a rename fails the build, not a run.
//
//go:linkname ipaFiles github.com/ikawaha/kagome-dict/ipa.dictsrc
var ipaFiles embed.FS

// A morpheme as the matcher sees it.
type morpheme struct {
	surface string
	pos     string // the part of speech's top level: 名詞, 動詞, 助詞 …
	// dependent marks words that only lean on another (非自立): 忘れて
	// "しまう", "こと".
	dependent bool
	base      string // the dictionary form (変え → 変える)
	reading   string // in katakana, as pronounced; "" when unknown
}

// lexicon is kagome's tokenizer over the IPA dictionary without the
// dictionary's features, and for each word the three facts the matcher
// needs, packed: about 25 MB in place of 75, loaded in a third of the time.
type lexicon struct {
	tok *tokenizer.Tokenizer
	// class[id] indexes classes: a word's part of speech and whether it
	// is dependent.
	class   []uint8
	classes []posClass
	// words holds, for word id, base + "\x00" + reading in
	// words[offsets[id]:offsets[id+1]].
	words   string
	offsets []uint32
	// source says where the arrays live: the path of the mapped image,
	// or "memory (why)".
	source string
	image  []byte // the mapped image; nil in memory
}

type posClass struct {
	pos       string
	dependent bool
}

// lexiconCacheDir is where the lexicon's image is kept (see
// lexicon_image.go); "" keeps the lexicon in memory. Set it with
// SetLexiconCache before the first question.
var lexiconCacheDir = defaultCacheDir()

func defaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil { // no home directory: a service account's
		dir = os.TempDir()
	}
	return filepath.Join(dir, "mfadesk")
}

// SetLexiconCache sets the directory for the dictionary's mapped image
// ("" for none). It has effect only before the dictionary is first used.
func SetLexiconCache(dir string) { lexiconCacheDir = dir }

// LexiconSource says where the dictionary was read from: the mapped image,
// or memory and why. It loads the dictionary if nothing has yet.
func LexiconSource() string { return analyser().source }

// unmapPages takes the dictionary's mapped pages out of the process; they
// stay in the page cache, and each is mapped again when a lookup reads it.
func (l *lexicon) unmapPages() {
	if l.image != nil {
		unmapPages(l.image)
	}
}

// analyser is loaded on first use, once; it is read-only and safe for
// concurrent use.
var analyser = sync.OnceValue(func() *lexicon {
	l, err := loadLexicon(ipaFiles, lexiconCacheDir)
	if err != nil {
		panic("faq: load the Japanese dictionary: " + err.Error()) // embedded in the binary
	}
	return l
})

// Tokenize cuts a run of Japanese into morphemes.
func (l *lexicon) Tokenize(run string) []morpheme {
	toks := l.tok.Tokenize(run)
	out := make([]morpheme, 0, len(toks))
	for _, t := range toks {
		m := morpheme{surface: t.Surface, base: t.Surface}
		switch t.Class {
		case tokenizer.KNOWN:
			c := l.classes[l.class[t.ID]]
			m.pos, m.dependent = c.pos, c.dependent
			w := l.words[l.offsets[t.ID]:l.offsets[t.ID+1]]
			base, reading, _ := strings.Cut(w, "\x00")
			if base != "" {
				m.base = base
			}
			m.reading = reading
		case tokenizer.UNKNOWN:
			// A word the dictionary lacks: its class by its characters
			// (a run of kanji is a noun), with no base form or reading.
			f := t.Features()
			if len(f) > 0 {
				m.pos = f[0]
			}
			m.dependent = len(f) > 1 && f[1] == "非自立"
		default:
			continue
		}
		out = append(out, m)
	}
	return out
}

// loadLexicon maps the lexicon's image in cacheDir, or reads the
// dictionary's zip and writes the image for the next start. Where there is
// no directory, or it can't be written, the lexicon is kept in memory.
func loadLexicon(files fs.FS, cacheDir string) (*lexicon, error) {
	// Read in place: fs.ReadFile would copy all 11 MB of it, and touch
	// every page, when only the central directory and the parts wanted
	// are needed.
	f, err := files.Open("ipa.dict")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	at, ok := f.(io.ReaderAt)
	if !ok {
		return nil, errors.New("the dictionary's file can't be read at an offset")
	}
	zr, err := zip.NewReader(at, info.Size())
	if err != nil {
		return nil, err
	}
	small := func(name string) bool { return name == dict.CharDefDictFileName || name == dict.UnkDictFileName }
	all := func(string) bool { return true }
	if cacheDir == "" || !littleEndian {
		return readLexicon(zr, all, &dict.Dict{}, &lexicon{source: "memory (no cache directory)"})
	}
	fp := fingerprint(zr)
	path := imagePath(cacheDir, fp)
	d, l := &dict.Dict{}, &lexicon{source: path}
	err = openImage(path, fp, d, l)
	if err == nil {
		return readLexicon(zr, small, d, l)
	}
	why := "made it"
	if !errors.Is(err, errNoImage) {
		why = "remade it: " + err.Error()
	}
	d, l = &dict.Dict{}, &lexicon{}
	full, err := readLexicon(zr, all, d, l)
	if err != nil {
		return nil, err
	}
	if _, err := writeImage(cacheDir, fp, d, l); err != nil {
		full.source = "memory (the cache directory: " + err.Error() + ")"
		return full, nil
	}
	d, l = &dict.Dict{}, &lexicon{source: path + " (" + why + ")"}
	if err := openImage(path, fp, d, l); err != nil {
		full.source = "memory (the image just made: " + err.Error() + ")"
		return full, nil
	}
	return readLexicon(zr, small, d, l)
}

// readLexicon reads the zip's parts that want names into d and l, and
// makes the tokenizer. The parts the tokenizer uses are kagome's own; the
// part-of-speech table and the features are read into the lexicon's
// packed form and dropped.
func readLexicon(zr *zip.Reader, want func(name string) bool, d *dict.Dict, l *lexicon) (*lexicon, error) {
	for _, f := range zr.File {
		if !want(f.Name) {
			continue
		}
		var read func(io.Reader) error
		switch f.Name {
		case dict.MorphDictFileName:
			read = func(r io.Reader) (err error) { d.Morphs, err = dict.ReadMorphs(r); return }
		case dict.IndexDictFileName:
			read = func(r io.Reader) (err error) { d.Index, err = dict.ReadIndexTable(r); return }
		case dict.ConnectionDictFileName:
			read = func(r io.Reader) (err error) { d.Connection, err = dict.ReadConnectionTable(r); return }
		case dict.CharDefDictFileName:
			read = func(r io.Reader) error {
				def, err := dict.ReadCharDef(r)
				if err == nil {
					d.CharClass, d.CharCategory, d.InvokeList, d.GroupList = def.CharClass, def.CharCategory, def.InvokeList, def.GroupList
				}
				return err
			}
		case dict.UnkDictFileName:
			read = func(r io.Reader) (err error) { d.UnkDict, err = dict.ReadUnkDic(r); return }
		case dict.POSDictFileName:
			read = l.readClasses
		case dict.ContentDictFileName:
			read = func(r io.Reader) error { return l.readWords(r, f.UncompressedSize64) }
		default:
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		// kagome's readers read a few bytes at a time.
		err = read(bufio.NewReaderSize(rc, 64<<10))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	if n := len(d.Morphs); n == 0 || len(l.class) != n || len(l.offsets) != n+1 {
		return nil, fmt.Errorf("parts missing or of different lengths: %d words, %d classes, %d features", n, len(l.class), len(l.offsets)-1)
	}
	var err error
	if l.tok, err = tokenizer.New(d, tokenizer.OmitBosEos()); err != nil {
		return nil, err
	}
	return l, nil
}

// readClasses reads the part-of-speech table (for each word the ids of its
// four levels, then the names) and keeps each word's class.
func (l *lexicon) readClasses(r io.Reader) error {
	dec := gob.NewDecoder(r)
	var ids [][]dict.POSID
	var names []string
	if err := dec.Decode(&ids); err != nil {
		return err
	}
	if err := dec.Decode(&names); err != nil {
		return err
	}
	name := func(p []dict.POSID, i int) string {
		if i < len(p) && int(p[i]) < len(names) {
			return names[p[i]]
		}
		return ""
	}
	index := map[posClass]uint8{}
	l.class = make([]uint8, len(ids))
	for i, p := range ids {
		c := posClass{pos: name(p, 0), dependent: name(p, 1) == "非自立"}
		n, ok := index[c]
		if !ok {
			if len(l.classes) == 256 {
				return fmt.Errorf("more than 256 classes")
			}
			n = uint8(len(l.classes))
			index[c] = n
			l.classes = append(l.classes, c)
		}
		l.class[i] = n
	}
	return nil
}

// readWords reads the features past the part of speech, one line per
// word: 活用型, 活用形, base form, reading, pronunciation ("*" when
// unknown). It keeps the base form of words that inflect (of the others it
// is the word as written) and the pronunciation, or the reading where no
// pronunciation is given.
func (l *lexicon) readWords(r io.Reader, size uint64) error {
	var words strings.Builder
	words.Grow(int(size / 2)) // measured: 45 % of the part
	l.offsets = make([]uint32, 0, 400_000)
	br := bufio.NewReaderSize(r, 64<<10)
	var f [5][]byte
	for {
		line, err := br.ReadSlice('\n')
		if err != nil && err != io.EOF {
			return err
		}
		if len(line) == 0 && err == io.EOF {
			break
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		for i := range f {
			f[i], line, _ = bytes.Cut(line, []byte("\a"))
		}
		field := func(i int) []byte {
			if string(f[i]) == "*" {
				return nil
			}
			return f[i]
		}
		reading := field(4)
		if reading == nil {
			reading = field(3)
		}
		l.offsets = append(l.offsets, uint32(words.Len()))
		if field(0) != nil {
			words.Write(field(2))
		}
		words.WriteByte(0)
		words.Write(reading)
		if err == io.EOF {
			break
		}
	}
	l.offsets = append(l.offsets, uint32(words.Len()))
	l.words = words.String()
	return nil
}
