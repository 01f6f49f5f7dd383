package ingest

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/uuid"
)

// chType is a ClickHouse column type taken apart: the base type, and whether it is Nullable or
// an Array of the base. LowCardinality changes nothing on the client side.
type chType struct {
	base     string
	nullable bool
	array    bool
	lowCard  bool
}

func parseCHType(s string) chType {
	var t chType
	unwrap := func(prefix string) bool {
		if strings.HasPrefix(s, prefix+"(") && strings.HasSuffix(s, ")") {
			s = s[len(prefix)+1 : len(s)-1]
			return true
		}
		return false
	}
	for {
		switch {
		case unwrap("LowCardinality"):
			t.lowCard = true
		case unwrap("Nullable"):
			t.nullable = true
		case unwrap("Array"):
			t.array = true
		default:
			if strings.HasPrefix(s, "FixedString(") {
				s = "String"
			}
			t.base = s
			return t
		}
	}
}

// arrowType is the in-memory Arrow type a ClickHouse base type is batched as.
func arrowType(base string) (arrow.DataType, error) {
	switch base {
	case "String":
		return arrow.BinaryTypes.String, nil
	case "UInt8", "UInt16", "UInt32", "UInt64", "Int8", "Int16", "Int32", "Int64":
		return arrow.PrimitiveTypes.Int64, nil
	case "Float32", "Float64":
		return arrow.PrimitiveTypes.Float64, nil
	case "DateTime", "Date":
		return arrow.FixedWidthTypes.Timestamp_s, nil
	case "UUID":
		return &arrow.FixedSizeBinaryType{ByteWidth: 16}, nil
	}
	return nil, fmt.Errorf("column type %s is not supported by ingest", base)
}

func newBuilder(mem memory.Allocator, t chType) (array.Builder, error) {
	at, err := arrowType(t.base)
	if err != nil {
		return nil, err
	}
	if t.array {
		return array.NewListBuilder(mem, at), nil
	}
	return array.NewBuilder(mem, at), nil
}

// toColumn turns an Arrow column into the Go slice clickhouse-go's columnar Append takes for
// the ClickHouse type.
func toColumn(arr arrow.Array, t chType) (any, error) {
	switch a := arr.(type) {
	case *array.String:
		if t.nullable {
			return nullableSlice(a, a.Value), nil
		}
		out := make([]string, a.Len())
		for i := range out {
			out[i] = a.Value(i)
		}
		return out, nil
	case *array.Int64:
		return intColumn(a, t)
	case *array.Float64:
		if t.nullable {
			return nullableSlice(a, a.Value), nil
		}
		return append([]float64(nil), a.Float64Values()...), nil
	case *array.Timestamp:
		at := func(i int) time.Time { return time.Unix(int64(a.Value(i)), 0).UTC() }
		if t.nullable {
			return nullableSlice(a, at), nil
		}
		out := make([]time.Time, a.Len())
		for i := range out {
			out[i] = at(i)
		}
		return out, nil
	case *array.FixedSizeBinary:
		out := make([]uuid.UUID, a.Len())
		for i := range out {
			copy(out[i][:], a.Value(i))
		}
		return out, nil
	case *array.List:
		return listColumn(a, t)
	}
	return nil, fmt.Errorf("no conversion from arrow %s to clickhouse %s", arr.DataType(), t.base)
}

func intColumn(a *array.Int64, t chType) (any, error) {
	switch t.base {
	case "UInt8":
		return convertInts(a, t.nullable, func(v int64) uint8 { return uint8(v) }), nil
	case "UInt16":
		return convertInts(a, t.nullable, func(v int64) uint16 { return uint16(v) }), nil
	case "UInt32":
		return convertInts(a, t.nullable, func(v int64) uint32 { return uint32(v) }), nil
	case "UInt64":
		return convertInts(a, t.nullable, func(v int64) uint64 { return uint64(v) }), nil
	case "Int8":
		return convertInts(a, t.nullable, func(v int64) int8 { return int8(v) }), nil
	case "Int16":
		return convertInts(a, t.nullable, func(v int64) int16 { return int16(v) }), nil
	case "Int32":
		return convertInts(a, t.nullable, func(v int64) int32 { return int32(v) }), nil
	case "Int64":
		return convertInts(a, t.nullable, func(v int64) int64 { return v }), nil
	}
	return nil, fmt.Errorf("no integer conversion to %s", t.base)
}

// convertInts returns []T, or []*T for a Nullable column.
func convertInts[T any](a *array.Int64, nullable bool, conv func(int64) T) any {
	if nullable {
		return nullableSlice(a, func(i int) T { return conv(a.Value(i)) })
	}
	vals := a.Int64Values()
	out := make([]T, len(vals))
	for i, v := range vals {
		out[i] = conv(v)
	}
	return out
}

func nullableSlice[T any](a arrow.Array, at func(int) T) []*T {
	out := make([]*T, a.Len())
	vals := make([]T, a.Len())
	for i := range out {
		if a.IsNull(i) {
			continue
		}
		vals[i] = at(i)
		out[i] = &vals[i]
	}
	return out
}

func listColumn(a *array.List, t chType) (any, error) {
	offsets := a.Offsets()
	elem := chType{base: t.base}
	flat, err := toColumn(a.ListValues(), elem)
	if err != nil {
		return nil, err
	}
	fv := reflect.ValueOf(flat)
	out := reflect.MakeSlice(reflect.SliceOf(fv.Type()), a.Len(), a.Len())
	for i := 0; i < a.Len(); i++ {
		out.Index(i).Set(fv.Slice(int(offsets[i]), int(offsets[i+1])))
	}
	return out.Interface(), nil
}
