package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	_ "time/tzdata" // the region's zone is known on hosts without a zone database
)

// keyConfig is where the workspace's settings live in the meta bucket.
var keyConfig = []byte("config")

// Config is the workspace's settings, kept in the ledger so that every
// process working on the workspace (a command, perenos serve, the review
// UI) reads the same ones.
type Config struct {
	// TimeZone is the region's IANA time zone, e.g. Asia/Irkutsk: the zone
	// of the dates printed on acts, of the days in reports, of the times the
	// review UI shows, and of the dates read from signed acts. Empty means
	// not set: the machine's zone is used, and commands say so.
	TimeZone string `json:"time_zone,omitempty"`
	// TimeZoneSource says where the zone came from: "operator" for perenos
	// config tz, or "roadmap NAME" when it was taken from a roadmap.
	TimeZoneSource string    `json:"time_zone_source,omitempty"`
	Updated        time.Time `json:"updated,omitzero"`
	UpdatedBy      string    `json:"updated_by,omitempty"`
}

// Config reads the workspace's settings; a workspace that has none yet
// returns the zero Config.
func (w *Workspace) Config() (Config, error) {
	var c Config
	err := w.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bMeta).Get(keyConfig)
		if raw == nil {
			return nil
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return fmt.Errorf("decode the workspace settings: %w", err)
		}
		return nil
	})
	return c, err
}

// SetTimeZone sets the region's time zone after checking that zone names
// one (an IANA name such as Asia/Irkutsk or Europe/Moscow). source says
// where it came from ("operator", "roadmap irkutsk-460rp").
func (w *Workspace) SetTimeZone(zone, source, actor string) (Config, error) {
	zone = strings.TrimSpace(zone)
	if _, err := LoadZone(zone); err != nil {
		return Config{}, err
	}
	var c Config
	err := w.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		if raw := meta.Get(keyConfig); raw != nil {
			if err := json.Unmarshal(raw, &c); err != nil {
				return fmt.Errorf("decode the workspace settings: %w", err)
			}
		}
		c.TimeZone, c.TimeZoneSource = zone, source
		c.Updated, c.UpdatedBy = w.now(), actor
		data, err := json.Marshal(c)
		if err != nil {
			return err
		}
		return meta.Put(keyConfig, data)
	})
	if err != nil {
		return Config{}, fmt.Errorf("set the workspace's time zone: %w", err)
	}
	return c, nil
}

// Location is the region's time zone as the workspace records it, or the
// machine's zone (time.Local) when none is set. The review UI, acts and
// reports show times in it.
func (w *Workspace) Location() (*time.Location, error) {
	c, err := w.Config()
	if err != nil {
		return nil, err
	}
	if c.TimeZone == "" {
		return time.Local, nil
	}
	return LoadZone(c.TimeZone)
}

// LoadZone reads an IANA time zone name, with an error that says what is
// wanted. "Local" is refused: the machine's zone is not the region's.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("time zone %q: give the region's zone by its IANA name, e.g. Asia/Irkutsk or Europe/Moscow", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name (e.g. Asia/Irkutsk, Europe/Moscow): %w", name, err)
	}
	return loc, nil
}
