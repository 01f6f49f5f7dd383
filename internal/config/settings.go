package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// setting is one leaf field of Config, described by its struct tags.
type setting struct {
	key    string // YAML path, "ingest.batch_size"
	env    string // environment variable, "" if none
	flag   string // flag name without dashes, "" if none
	help   string // one line: meaning and unit
	secret bool   // never echo the value in errors or help
	index  []int  // reflect field index path from Config
	typ    reflect.Type
}

var durationType = reflect.TypeFor[time.Duration]()

// settings lists every leaf field of Config in declaration order. It is computed on each call
// rather than cached in a package variable: it is cheap, and the package keeps no mutable state.
func settings() []setting {
	var out []setting
	walkStruct(reflect.TypeFor[Config](), "", nil, &out)
	return out
}

func walkStruct(t reflect.Type, prefix string, index []int, out *[]setting) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		idx := append(append([]int(nil), index...), i)
		if f.Type.Kind() == reflect.Struct && f.Type != durationType {
			walkStruct(f.Type, key+".", idx, out)
			continue
		}
		*out = append(*out, setting{
			key:    key,
			env:    f.Tag.Get("env"),
			flag:   f.Tag.Get("flag"),
			help:   f.Tag.Get("help"),
			secret: f.Tag.Get("secret") == "true",
			index:  idx,
			typ:    f.Type,
		})
	}
}

// field returns the addressable field of c that s describes.
func (s setting) field(c *Config) reflect.Value {
	return reflect.ValueOf(c).Elem().FieldByIndex(s.index)
}

// format renders a value the way a user would write it in an env var or flag.
func (s setting) format(v reflect.Value) string {
	switch {
	case v.Type() == durationType:
		d := v.Interface().(time.Duration)
		switch {
		case d >= year && d%year == 0:
			return fmt.Sprintf("%dy", d/year)
		case d >= day && d%day == 0:
			return fmt.Sprintf("%dd", d/day)
		}
		return d.String()
	case v.Kind() == reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(v.Interface())
	}
}
