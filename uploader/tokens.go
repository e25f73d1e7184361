package uploader

import (
	"fmt"
	"os"
	"runtime"

	"perenos/portal"
)

// LoadTokens reads the per-site tokens file (CSV portal_site,token). The
// file holds secrets, so on Unix it must not be readable by group or
// others. Windows keeps access in ACLs, not mode bits (every file there
// looks like 0666), so the check would refuse every file: there the file
// belongs in the operator's own profile folder, as README says.
func LoadTokens(path string) (map[string]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("tokens file %s is readable by group or others (mode %04o): run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	defer f.Close()
	toks, err := portal.ReadTokens(f)
	if err != nil {
		return nil, fmt.Errorf("tokens file %s: %w", path, err)
	}
	return toks, nil
}
