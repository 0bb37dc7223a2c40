/* dr_policy: the disaster-recovery table. Each row is one event: the phase
 * it leaves and enters, what must hold for it to start, what users are in
 * the phase entered, and the fate of every kind of call when it hits. The
 * seed documents' cells are the `fate` columns and the phase flags. */
#include "dr_policy.h"

#include <string.h>

/* Preconditions a row may require. */
enum {
    DR_REQ_PAIRED = 1u << 0,              /* the home pool has a backup */
    DR_REQ_AT_BACKUP = 1u << 1,           /* sent to the backup pool */
    DR_REQ_BACKUP_UP = 1u << 2,           /* the backup heart-beats */
    DR_REQ_HOME_UP_OR_DISASTER = 1u << 3, /* disaster_mode when the home pool is down */
    DR_REQ_HOME_UP = 1u << 4,             /* failback needs the home pool back */
    DR_REQ_BACKUP_CALLPARK = 1u << 5,     /* the backup owns a CallPark range */
    DR_REQ_BACKUP_NORMAL = 1u << 6,       /* the backup is not itself failed over */
};

#define DR_PHASE_ANY DR_PHASE_COUNT

typedef struct {
    dr_event event;
    dr_phase from; /* DR_PHASE_ANY: the event does not change the phase */
    dr_phase to;
    unsigned requires;
    dr_fate fate[DR_CALL_STATE_COUNT];
} dr_rule;

/* Users' properties in each phase: resiliency mode, and who serves them. */
typedef struct {
    const char *name;
    bool resiliency;
    bool served_by_backup;
} dr_phase_row;

static const dr_phase_row DR_PHASES[DR_PHASE_COUNT] = {
    [DR_PHASE_NORMAL] = {"normal", false, false},
    [DR_PHASE_FAILING_OVER] = {"failing_over", true, true},
    [DR_PHASE_FAILED_OVER] = {"failed_over", false, true},
    [DR_PHASE_FAILING_BACK] = {"failing_back", true, false},
};

/* Calls: 001 (Call Park) and 002 (Group Call Pickup), column by column. */
static const dr_rule DR_RULES[DR_EVENT_COUNT] = {
    [DR_EVENT_OUTAGE] =
        {
            .event = DR_EVENT_OUTAGE,
            .from = DR_PHASE_ANY,
            .to = DR_PHASE_ANY,
            .requires = 0,
            .fate =
                {
                    [DR_CALL_NOT_PARKED] = DR_FATE_STAYS_CONNECTED, /* but cannot be parked */
                    [DR_CALL_PARKED] = DR_FATE_DISCONNECTED,
                    [DR_CALL_RETRIEVED] = DR_FATE_STAYS_CONNECTED,
                    [DR_CALL_PICKUP_QUEUED] = DR_FATE_DISCONNECTED,
                    [DR_CALL_ESTABLISHED] = DR_FATE_STAYS_CONNECTED,
                },
        },
    [DR_EVENT_FAILOVER_BEGIN] =
        {
            .event = DR_EVENT_FAILOVER_BEGIN,
            .from = DR_PHASE_NORMAL,
            .to = DR_PHASE_FAILING_OVER,
            .requires = DR_REQ_PAIRED | DR_REQ_AT_BACKUP | DR_REQ_BACKUP_UP |
                        DR_REQ_HOME_UP_OR_DISASTER | DR_REQ_BACKUP_CALLPARK | DR_REQ_BACKUP_NORMAL,
            .fate =
                {
                    [DR_CALL_NOT_PARKED] = DR_FATE_STAYS_CONNECTED, /* hold/transfer only */
                    [DR_CALL_PARKED] = DR_FATE_NONE_LEFT,
                    [DR_CALL_RETRIEVED] = DR_FATE_STAYS_CONNECTED,
                    [DR_CALL_PICKUP_QUEUED] = DR_FATE_UNPICKABLE,
                    [DR_CALL_ESTABLISHED] = DR_FATE_STAYS_CONNECTED,
                },
        },
    [DR_EVENT_FAILOVER_COMPLETE] =
        {
            .event = DR_EVENT_FAILOVER_COMPLETE,
            .from = DR_PHASE_FAILING_OVER,
            .to = DR_PHASE_FAILED_OVER,
            .requires = 0,
            .fate =
                {
                    [DR_CALL_NOT_PARKED] = DR_FATE_STAYS_CONNECTED, /* may park again */
                    [DR_CALL_PARKED] = DR_FATE_NONE_LEFT,
                    [DR_CALL_RETRIEVED] = DR_FATE_STAYS_CONNECTED,
                    [DR_CALL_PICKUP_QUEUED] = DR_FATE_NONE_LEFT,
                    [DR_CALL_ESTABLISHED] = DR_FATE_STAYS_CONNECTED,
                },
        },
    [DR_EVENT_FAILBACK_BEGIN] =
        {
            .event = DR_EVENT_FAILBACK_BEGIN,
            .from = DR_PHASE_FAILED_OVER,
            .to = DR_PHASE_FAILING_BACK,
            .requires = DR_REQ_PAIRED | DR_REQ_AT_BACKUP | DR_REQ_HOME_UP,
            .fate =
                {
                    [DR_CALL_NOT_PARKED] = DR_FATE_STAYS_CONNECTED, /* hold/transfer only */
                    [DR_CALL_PARKED] = DR_FATE_REMAINS_PARKED,
                    [DR_CALL_RETRIEVED] = DR_FATE_STAYS_CONNECTED,
                    [DR_CALL_PICKUP_QUEUED] = DR_FATE_UNPICKABLE,
                    [DR_CALL_ESTABLISHED] = DR_FATE_STAYS_CONNECTED,
                },
        },
    [DR_EVENT_FAILBACK_COMPLETE] =
        {
            .event = DR_EVENT_FAILBACK_COMPLETE,
            .from = DR_PHASE_FAILING_BACK,
            .to = DR_PHASE_NORMAL,
            .requires = 0,
            .fate =
                {
                    [DR_CALL_NOT_PARKED] = DR_FATE_STAYS_CONNECTED, /* may park again */
                    [DR_CALL_PARKED] = DR_FATE_REMAINS_PARKED,
                    [DR_CALL_RETRIEVED] = DR_FATE_STAYS_CONNECTED,
                    [DR_CALL_PICKUP_QUEUED] = DR_FATE_UNPICKABLE,
                    [DR_CALL_ESTABLISHED] = DR_FATE_STAYS_CONNECTED,
                },
        },
};

static const char *const DR_EVENT_NAMES[DR_EVENT_COUNT] = {
    [DR_EVENT_OUTAGE] = "outage",
    [DR_EVENT_FAILOVER_BEGIN] = "failover_begin",
    [DR_EVENT_FAILOVER_COMPLETE] = "failover_complete",
    [DR_EVENT_FAILBACK_BEGIN] = "failback_begin",
    [DR_EVENT_FAILBACK_COMPLETE] = "failback_complete",
};

static const char *const DR_FATE_NAMES[DR_FATE_COUNT] = {
    [DR_FATE_STAYS_CONNECTED] = "stays_connected", [DR_FATE_DISCONNECTED] = "disconnected",
    [DR_FATE_REMAINS_PARKED] = "remains_parked",   [DR_FATE_NONE_LEFT] = "none_left",
    [DR_FATE_UNPICKABLE] = "unpickable",
};

static const char *const DR_CALL_STATE_NAMES[DR_CALL_STATE_COUNT] = {
    [DR_CALL_NOT_PARKED] = "not_parked",   [DR_CALL_PARKED] = "parked",
    [DR_CALL_RETRIEVED] = "retrieved",     [DR_CALL_PICKUP_QUEUED] = "pickup_queued",
    [DR_CALL_ESTABLISHED] = "established",
};

const char *dr_phase_name(dr_phase p)
{
    return (unsigned)p < DR_PHASE_COUNT ? DR_PHASES[p].name : "?";
}

bool dr_phase_from_name(const char *name, dr_phase *out)
{
    if (!name)
        return false;
    for (int i = 0; i < DR_PHASE_COUNT; i++) {
        if (strcmp(DR_PHASES[i].name, name) == 0) {
            *out = (dr_phase)i;
            return true;
        }
    }
    return false;
}

const char *dr_event_name(dr_event e)
{
    return (unsigned)e < DR_EVENT_COUNT ? DR_EVENT_NAMES[e] : "?";
}

const char *dr_fate_name(dr_fate f)
{
    return (unsigned)f < DR_FATE_COUNT ? DR_FATE_NAMES[f] : "?";
}

const char *dr_call_state_name(dr_call_state s)
{
    return (unsigned)s < DR_CALL_STATE_COUNT ? DR_CALL_STATE_NAMES[s] : "?";
}

bool dr_phase_resiliency(dr_phase p)
{
    return (unsigned)p < DR_PHASE_COUNT && DR_PHASES[p].resiliency;
}

bool dr_phase_served_by_backup(dr_phase p)
{
    return (unsigned)p < DR_PHASE_COUNT && DR_PHASES[p].served_by_backup;
}

dr_phase dr_phase_after(dr_event e, dr_phase p)
{
    if ((unsigned)e >= DR_EVENT_COUNT || DR_RULES[e].to == DR_PHASE_ANY)
        return p;
    return DR_RULES[e].to;
}

dr_fate dr_fate_of(dr_event e, dr_call_state s)
{
    if ((unsigned)e >= DR_EVENT_COUNT || (unsigned)s >= DR_CALL_STATE_COUNT)
        return DR_FATE_STAYS_CONNECTED;
    return DR_RULES[e].fate[s];
}

/* Each precondition with the refusal it causes, checked in this order. */
typedef struct {
    unsigned bit;
    orbit_err code;
    const char *message;
} dr_requirement;

static bool requirement_met(unsigned bit, const dr_request *r)
{
    switch (bit) {
    case DR_REQ_PAIRED:
        return r->home_has_backup;
    case DR_REQ_AT_BACKUP:
        return r->asked_at_backup;
    case DR_REQ_BACKUP_UP:
        return r->backup_up;
    case DR_REQ_HOME_UP_OR_DISASTER:
        return r->home_up || r->disaster_mode;
    case DR_REQ_HOME_UP:
        return r->home_up;
    case DR_REQ_BACKUP_CALLPARK:
        return r->backup_callpark_numbers > 0;
    case DR_REQ_BACKUP_NORMAL:
        return r->backup_phase == DR_PHASE_NORMAL;
    default:
        return false;
    }
}

static const dr_requirement DR_REQUIREMENTS[] = {
    {DR_REQ_PAIRED, ORBIT_ERR_CONFLICT, "the home pool has no backup pool"},
    {DR_REQ_AT_BACKUP, ORBIT_ERR_WRONG_POOL, "send this to the home pool's backup pool"},
    {DR_REQ_BACKUP_UP, ORBIT_ERR_POOL_UNREACHABLE, "the backup pool is down"},
    {DR_REQ_HOME_UP_OR_DISASTER, ORBIT_ERR_POOL_UNREACHABLE,
     "the home pool is unreachable: fail over with disaster_mode"},
    {DR_REQ_HOME_UP, ORBIT_ERR_POOL_UNREACHABLE,
     "the home pool is down: it must be back before failback"},
    {DR_REQ_BACKUP_CALLPARK, ORBIT_ERR_CONFLICT,
     "the backup pool owns no CallPark range: failed-over users could not park"},
    {DR_REQ_BACKUP_NORMAL, ORBIT_ERR_CONFLICT,
     "the backup pool's own users are failed over: it cannot take these users"},
};

orbit_err dr_transition_check(dr_event e, const dr_request *req, dr_phase *next, orbit_status *st)
{
    if ((unsigned)e >= DR_EVENT_COUNT || DR_RULES[e].from == DR_PHASE_ANY)
        return orbit_status_set(st, ORBIT_ERR_BAD_REQUEST, "", "%s is not a phase transition",
                                dr_event_name(e));
    const dr_rule *rule = &DR_RULES[e];
    if (req->phase != rule->from)
        return orbit_status_set(st, ORBIT_ERR_CONFLICT, "pool",
                                "%s needs phase %s; the users are %s", dr_event_name(e),
                                dr_phase_name(rule->from), dr_phase_name(req->phase));
    for (size_t i = 0; i < sizeof DR_REQUIREMENTS / sizeof DR_REQUIREMENTS[0]; i++) {
        const dr_requirement *q = &DR_REQUIREMENTS[i];
        if ((rule->requires & q->bit) && !requirement_met(q->bit, req))
            return orbit_status_set(st, q->code, "pool", "%s", q->message);
    }
    if (next)
        *next = rule->to;
    return ORBIT_OK;
}

orbit_err dr_park_check(dr_phase p, bool serving_up, bool at_serving, orbit_status *st)
{
    if (dr_phase_resiliency(p))
        return orbit_status_set(st, ORBIT_ERR_RESILIENCY_MODE, "parker",
                                "the parker is in resiliency mode (%s): hold and transfer work, "
                                "park does not",
                                dr_phase_name(p));
    if (!serving_up)
        return orbit_status_set(st, ORBIT_ERR_POOL_UNREACHABLE, "parker",
                                "the pool serving the parker is down; the call stays connected");
    if (!at_serving)
        return orbit_status_set(st, ORBIT_ERR_NOT_SERVED_HERE, "parker",
                                "the parker is not served by this pool");
    return ORBIT_OK;
}

orbit_err dr_pickup_check(dr_phase p, bool range_at_serving, orbit_status *st)
{
    if (dr_phase_resiliency(p))
        return orbit_status_set(st, ORBIT_ERR_PICKUP_UNAVAILABLE, "group",
                                "Group Call Pickup is not available in resiliency mode (%s)",
                                dr_phase_name(p));
    if (!range_at_serving)
        return orbit_status_set(st, ORBIT_ERR_PICKUP_UNAVAILABLE, "group",
                                "the group's GroupPickup range is not redirected to the pool "
                                "serving its users");
    return ORBIT_OK;
}
