package portal

// BundleVersion is the version of the bulk-import bundle format.
const BundleVersion = 1

// Manifest is manifest.json of a bulk-import bundle: a zip that holds a
// whole site's content (the "structured data array" import route). Each
// object's body is in objects/<kind>/<key>.json, each file in
// files/<sha256>. Importing a bundle has the same result as putting every
// object and file one by one.
type Manifest struct {
	Version int              `json:"version"`
	Site    string           `json:"site"`
	Objects []ManifestObject `json:"objects"` // in write order: what an object names comes earlier
	Files   []ManifestFile   `json:"files"`
}

// ManifestObject names one object of a bundle.
type ManifestObject struct {
	Kind Kind   `json:"kind"`
	Key  string `json:"key"`
}

// ManifestFile names one file of a bundle.
type ManifestFile struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// ObjectPath is where an object's body sits in a bundle.
func ObjectPath(kind Kind, key string) string { return "objects/" + string(kind) + "/" + key + ".json" }

// BundleFilePath is where a file sits in a bundle.
func BundleFilePath(sha string) string { return "files/" + sha }

// BundleResult is the portal's answer to a bundle import.
type BundleResult struct {
	Created  int         `json:"created"`
	Replaced int         `json:"replaced"`
	Results  []PutResult `json:"results"`
}
