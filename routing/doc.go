// Package routing is the ACD of the hotline: IVR menus, queues per business line, agents with
// skills and states, routing strategies, and the agent desktop API.
//
// The Engine is single-threaded state driven by a clock.Clock. The simulator drives it from a
// clock.Sim on one goroutine; live mode (Live) serialises every entry point and timer behind one
// mutex, so the routing code itself never locks.
package routing
