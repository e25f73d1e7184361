package store

import "os"

// syncDir makes a folder's entries (a file created or renamed in it)
// durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
