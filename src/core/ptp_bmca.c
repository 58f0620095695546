// SPDX-License-Identifier: MIT
/*
 * Best master clock algorithm, IEEE 1588-2008 §9.3: dataset comparison (figures 27/28), the
 * foreign master table and its qualification (§9.3.2.4.6, §9.3.2.5) and the state decision for
 * a one-port ordinary clock (figure 26). Pure functions over caller-owned fixed tables.
 */
#include <errno.h>
#include <string.h>

#include "aes67/error.h"
#include "aes67/ptp_bmca.h"

static int cmp_u(unsigned a, unsigned b)
{
	return (a > b) - (a < b);
}

/* Figure 28: A and B name the same grandmaster; decide on topology. */
static enum aes67_ptp_ds_order compare_topology(const struct aes67_ptp_dataset *a,
						const struct aes67_ptp_dataset *b)
{
	unsigned sa = a->steps_removed, sb = b->steps_removed;
	int c;

	if (sa > sb + 1) {
		return AES67_PTP_DS_B_BETTER;
	}
	if (sa + 1 < sb) {
		return AES67_PTP_DS_A_BETTER;
	}
	if (sa > sb) {
		/* A's path is one longer: is A our own Announce coming back? */
		c = aes67_ptp_port_identity_cmp(&a->receiver, &a->sender);
		if (c < 0) {
			return AES67_PTP_DS_B_BETTER;
		}
		return c > 0 ? AES67_PTP_DS_B_BETTER_TOPO : AES67_PTP_DS_ERROR_1;
	}
	if (sa < sb) {
		c = aes67_ptp_port_identity_cmp(&b->receiver, &b->sender);
		if (c < 0) {
			return AES67_PTP_DS_A_BETTER;
		}
		return c > 0 ? AES67_PTP_DS_A_BETTER_TOPO : AES67_PTP_DS_ERROR_1;
	}
	c = aes67_ptp_port_identity_cmp(&a->sender, &b->sender);
	if (c != 0) {
		return c < 0 ? AES67_PTP_DS_A_BETTER_TOPO : AES67_PTP_DS_B_BETTER_TOPO;
	}
	c = cmp_u(a->receiver.port_number, b->receiver.port_number);
	if (c != 0) {
		return c < 0 ? AES67_PTP_DS_A_BETTER_TOPO : AES67_PTP_DS_B_BETTER_TOPO;
	}
	return AES67_PTP_DS_ERROR_2;
}

enum aes67_ptp_ds_order aes67_ptp_ds_compare(const struct aes67_ptp_dataset *a,
					     const struct aes67_ptp_dataset *b)
{
	int c = memcmp(a->gm_identity, b->gm_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);

	if (c == 0) {
		return compare_topology(a, b);
	}
	/* Figure 27: lower value wins at each step; the identities differ, so this ends. */
	int steps[] = {
		cmp_u(a->priority1, b->priority1),
		cmp_u(a->quality.clock_class, b->quality.clock_class),
		cmp_u(a->quality.clock_accuracy, b->quality.clock_accuracy),
		cmp_u(a->quality.offset_scaled_log_variance, b->quality.offset_scaled_log_variance),
		cmp_u(a->priority2, b->priority2),
		c,
	};
	for (size_t i = 0; i < AES67_ARRAY_SIZE(steps); i++) {
		if (steps[i] != 0) {
			return steps[i] < 0 ? AES67_PTP_DS_A_BETTER : AES67_PTP_DS_B_BETTER;
		}
	}
	return AES67_PTP_DS_ERROR_2;
}

int aes67_ptp_ds_from_announce(const struct aes67_ptp_msg *msg,
			       const struct aes67_ptp_port_identity *receiver,
			       struct aes67_ptp_dataset *ds)
{
	const struct aes67_ptp_announce *a = &msg->announce;

	if (msg->hdr.type != AES67_PTP_ANNOUNCE) {
		return -EINVAL;
	}
	ds->priority1 = a->gm_priority1;
	memcpy(ds->gm_identity, a->gm_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);
	ds->quality = a->gm_quality;
	ds->priority2 = a->gm_priority2;
	ds->steps_removed = a->steps_removed;
	ds->sender = msg->hdr.source;
	ds->receiver = *receiver;
	return 0;
}

void aes67_ptp_foreign_init(struct aes67_ptp_foreign_table *t,
			    const uint8_t own_identity[AES67_PTP_CLOCK_IDENTITY_BYTES])
{
	memset(t, 0, sizeof(*t));
	memcpy(t->own_identity, own_identity, AES67_PTP_CLOCK_IDENTITY_BYTES);
}

static int64_t window_ns(int64_t interval_ns)
{
	return interval_ns * AES67_PTP_FOREIGN_MASTER_TIME_WINDOW;
}

/* §9.3.2.5: THRESHOLD distinct Announces within the window that ends now. */
static bool qualified(const struct aes67_ptp_foreign *f, int64_t now_ns, int64_t interval_ns)
{
	return f->in_use && f->rx_count >= AES67_PTP_FOREIGN_MASTER_THRESHOLD &&
	       now_ns - f->rx_ns[AES67_PTP_FOREIGN_MASTER_THRESHOLD - 1] <= window_ns(interval_ns);
}

static struct aes67_ptp_foreign *find_slot(struct aes67_ptp_foreign_table *t,
					   const struct aes67_ptp_port_identity *sender)
{
	struct aes67_ptp_foreign *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < AES67_PTP_FOREIGN_MAX; i++) {
		struct aes67_ptp_foreign *f = &t->rec[i];

		if (!f->in_use) {
			if (!free_slot) {
				free_slot = f;
			}
			continue;
		}
		if (aes67_ptp_port_identity_cmp(&f->ds.sender, sender) == 0) {
			return f;
		}
		if (!oldest || f->rx_ns[0] < oldest->rx_ns[0]) {
			oldest = f;
		}
	}
	if (free_slot) {
		return free_slot;
	}
	oldest->in_use = false;
	return oldest;
}

int aes67_ptp_foreign_add(struct aes67_ptp_foreign_table *t, const struct aes67_ptp_msg *msg,
			  const struct aes67_ptp_port_identity *receiver, int64_t now_ns,
			  int64_t interval_ns)
{
	struct aes67_ptp_foreign *f;
	struct aes67_ptp_dataset ds;

	if (interval_ns <= 0 || aes67_ptp_ds_from_announce(msg, receiver, &ds) < 0) {
		return -EINVAL;
	}
	/* §9.3.2.5 a) and d): our own Announces and those 255+ steps away never qualify. */
	if (memcmp(ds.sender.clock_identity, t->own_identity, AES67_PTP_CLOCK_IDENTITY_BYTES) ==
		    0 ||
	    ds.steps_removed >= 255) {
		return 0;
	}
	f = find_slot(t, &ds.sender);
	if (f->in_use) {
		/* Only a newer Announce counts (wrap-aware 16-bit sequence, §7.3.7). */
		if ((int16_t)(uint16_t)(msg->hdr.sequence_id - f->last_sequence_id) <= 0) {
			return qualified(f, now_ns, interval_ns) ? 1 : 0;
		}
	} else {
		memset(f, 0, sizeof(*f));
		f->in_use = true;
	}
	f->ds = ds;
	f->last_sequence_id = msg->hdr.sequence_id;
	for (size_t i = AES67_PTP_FOREIGN_MASTER_THRESHOLD - 1; i > 0; i--) {
		f->rx_ns[i] = f->rx_ns[i - 1];
	}
	f->rx_ns[0] = now_ns;
	if (f->rx_count < AES67_PTP_FOREIGN_MASTER_THRESHOLD) {
		f->rx_count++;
	}
	return qualified(f, now_ns, interval_ns) ? 1 : 0;
}

int aes67_ptp_foreign_erbest(struct aes67_ptp_foreign_table *t, int64_t now_ns, int64_t interval_ns,
			     struct aes67_ptp_dataset *best)
{
	const struct aes67_ptp_foreign *b = NULL;

	if (interval_ns <= 0) {
		return -EINVAL;
	}
	for (size_t i = 0; i < AES67_PTP_FOREIGN_MAX; i++) {
		struct aes67_ptp_foreign *f = &t->rec[i];

		if (!f->in_use) {
			continue;
		}
		if (now_ns - f->rx_ns[0] > window_ns(interval_ns)) {
			f->in_use = false;
			continue;
		}
		if (!qualified(f, now_ns, interval_ns)) {
			continue;
		}
		if (!b) {
			b = f;
			continue;
		}
		enum aes67_ptp_ds_order o = aes67_ptp_ds_compare(&f->ds, &b->ds);
		if (o == AES67_PTP_DS_A_BETTER || o == AES67_PTP_DS_A_BETTER_TOPO) {
			b = f;
		}
	}
	if (!b) {
		return -AES67_ENOTFOUND;
	}
	*best = b->ds;
	return 0;
}

static bool a_wins(enum aes67_ptp_ds_order o)
{
	return o == AES67_PTP_DS_A_BETTER || o == AES67_PTP_DS_A_BETTER_TOPO;
}

enum aes67_ptp_decision aes67_ptp_bmca_decide(const struct aes67_ptp_dataset *d0,
					      const struct aes67_ptp_dataset *erbest,
					      enum aes67_ptp_port_state state, bool slave_only)
{
	enum aes67_ptp_decision d;

	if (!erbest && state == AES67_PTP_LISTENING) {
		return AES67_PTP_DECISION_NONE;
	}
	if (d0->quality.clock_class >= 1 && d0->quality.clock_class <= 127) {
		/* A clock that can be a primary reference never follows: M1 or P1. */
		d = (!erbest || a_wins(aes67_ptp_ds_compare(d0, erbest))) ? AES67_PTP_DECISION_M1
									  : AES67_PTP_DECISION_P1;
	} else if (!erbest || a_wins(aes67_ptp_ds_compare(d0, erbest))) {
		d = AES67_PTP_DECISION_M2;
	} else {
		/* One port: Erbest is Ebest, so the port is the slave port. */
		d = AES67_PTP_DECISION_S1;
	}
	if (slave_only && d != AES67_PTP_DECISION_S1) {
		return AES67_PTP_DECISION_NONE;
	}
	return d;
}

enum aes67_ptp_fsm_event aes67_ptp_bmca_event(enum aes67_ptp_decision d)
{
	switch (d) {
	case AES67_PTP_DECISION_M1:
	case AES67_PTP_DECISION_M2:
		return AES67_PTP_EV_RS_GRAND_MASTER;
	case AES67_PTP_DECISION_M3:
		return AES67_PTP_EV_RS_MASTER;
	case AES67_PTP_DECISION_P1:
	case AES67_PTP_DECISION_P2:
		return AES67_PTP_EV_RS_PASSIVE;
	case AES67_PTP_DECISION_S1:
		return AES67_PTP_EV_RS_SLAVE;
	case AES67_PTP_DECISION_NONE:
		break;
	}
	return AES67_PTP_EV_NONE;
}
