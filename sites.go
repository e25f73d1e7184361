// Package perenos holds the project's bundled demo data: three small legacy
// sites (a windows-1251 school on a table layout, a 1C-Bitrix-style
// hospital, a WordPress-style municipality) that the demo serves on loopback.
package perenos

import "embed"

// DemoSites is testdata/sites: one folder per legacy site.
//
//go:embed testdata/sites
var DemoSites embed.FS
