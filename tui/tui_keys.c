/* tui_keys: the key table. */
#include "tui_keys.h"

#include "tui_app.h"

#define ALL     0u
#define V(view) (1u << (view))
#define TABLES  (V(VIEW_ORBITS) | V(VIEW_PARKED) | V(VIEW_QUEUES) | V(VIEW_EVENTS))
#define POOLS   (V(VIEW_OVERVIEW) | V(VIEW_POOL))

const char *const TUI_VIEW_SHORT[] = {"overview", "orbits", "parked", "queues", "pool", "events"};

const ui_key TUI_KEY_TABLE[] = {
    {'?', "Help", "help: every key", ALL, false, true},
    {'1', "Overview",
     "views: 1 overview, 2 orbits, 3 parked calls, 4 pickup queues, 5 pool "
     "detail, 6 events",
     ALL, false, false},
    {'\t', "View", "next view (Shift-Tab: previous)", ALL, false, true},
    {TUI_KEY_FAILOVER, "Failover", "fail the selected pool's users over to its backup", POOLS, true,
     true},
    {TUI_KEY_FAILBACK, "Failback", "fail the selected pool's users back from its backup", POOLS,
     true, true},
    {TUI_KEY_REASSIGN, "Reassign",
     "overview: redirect a pool's pickup ranges, or move all its ranges; orbits: move the "
     "selected range",
     POOLS | V(VIEW_ORBITS), true, true},
    {TUI_KEY_SETTINGS, "Settings", "edit the selected pool's Call Park settings", POOLS, true,
     true},
    {TUI_KEY_MOH, "MOH", "upload music on hold to the selected pool (backed up first)", POOLS, true,
     true},
    {'/', "Filter", "filter the table (Enter keeps, Esc clears)", TABLES, false, true},
    {'s', "Sort", "sort by the next column (S: reverse)", TABLES, false, true},
    {'p', "Pool", "orbits: show one pool's ranges, cycling through the pools", V(VIEW_ORBITS),
     false, true},
    {'t', "Type", "orbits: show CallPark, GroupPickup or all ranges", V(VIEW_ORBITS), false, true},
    {'a', "Audit", "events: switch between the live events and the audit log", V(VIEW_EVENTS),
     false, true},
    {'[', "Prev", "pool detail: previous pool (]: next)", V(VIEW_POOL), false, false},
    {'\n', "Detail", "overview: open the selected pool's detail", V(VIEW_OVERVIEW), false, false},
    {TUI_KEY_REPAINT, "Repaint", "repaint the whole screen", ALL, false, false},
    {TUI_KEY_ESC, "Back", "close a dialog, the help or the filter", ALL, false, false},
    {'q', "Quit", "quit (the deployment keeps running)", ALL, false, true},
};

const size_t TUI_KEY_COUNT = sizeof TUI_KEY_TABLE / sizeof TUI_KEY_TABLE[0];
