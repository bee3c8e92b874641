//go:build !linux

package faq

import (
	"io"
	"os"
)

// mapFile reads the file into memory where the bot does not map files
// (it is built and measured for Linux).
func mapFile(f *os.File, size int) ([]byte, error) {
	b := make([]byte, size)
	_, err := io.ReadFull(io.NewSectionReader(f, 0, int64(size)), b)
	return b, err
}

func unmapPages([]byte) {}

func unmapFile([]byte) {}
