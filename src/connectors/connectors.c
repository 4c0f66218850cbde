/*
 * connectors.c - the table of helpdesk connectors, and what they share.
 * Adding a helpdesk is one line here (see connector.h).
 */
#include "connectors/connector.h"
#include "connectors/osticket.h"
#include "connectors/zammad.h"

#include <assert.h>
#include <string.h>

static const struct connector *const all[] = {
	&zammad_connector,
	&osticket_connector,
};

const struct connector *connector_at(size_t i)
{
	return i < DP_ARRAY_LEN(all) ? all[i] : NULL;
}

size_t connector_index(const struct connector *conn)
{
	size_t i = 0;

	while (i < DP_ARRAY_LEN(all) && all[i] != conn)
		i++;
	assert(i < DP_ARRAY_LEN(all));
	return i;
}

const struct connector *connector_find(const char *name)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(all); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

const struct connector *connector_for_route(const char *path)
{
	for (size_t i = 0; i < DP_ARRAY_LEN(all); i++)
		if (strcmp(all[i]->route, path) == 0)
			return all[i];
	return NULL;
}

const char *hook_param(const struct hook_request *req, const char *name)
{
	return dp_env_get(req->envp, name);
}
