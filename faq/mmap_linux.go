package faq

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps size bytes of f read-only, for as long as the process
// lives: the lexicon made from it does.
//
// Lookups jump about the arrays, a page here and there. So the file's
// pages are first dropped from the page cache (those other processes map
// stay), because the checksum's sequential read left them there in large
// folios, and a fault on one maps the whole folio: one question made
// 20 MB resident. And the mapping is marked random, so that a fault reads
// one page rather than reading ahead.
func mapFile(f *os.File, size int) ([]byte, error) {
	unix.Fadvise(int(f.Fd()), 0, int64(size), unix.FADV_DONTNEED)
	b, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	unix.Madvise(b, unix.MADV_RANDOM)
	return b, nil
}

// unmapPages takes mapped pages out of the process (they stay in the page
// cache): the next lookup that needs one maps it again.
func unmapPages(b []byte) { unix.Madvise(b, unix.MADV_DONTNEED) }

// unmapFile undoes mapFile, for an image found wrong after mapping.
func unmapFile(b []byte) { unix.Munmap(b) }
