//go:build !linux

package store

import (
	"os"
	"path/filepath"
)

// syncFS falls back to syncing the folder tree's files one by one where
// syncfs(2) does not exist.
func syncFS(dir string) error {
	return filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}
