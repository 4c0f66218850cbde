/*
 * connectors.c - the list of helpdesk connectors, and what they share.
 */
#include "connectors/connector.h"
#include "connectors/osticket.h"
#include "connectors/zammad.h"

#include <string.h>

static const struct connector *const all[] = {
	&zammad_connector,
	&osticket_connector,
	NULL,
};

const struct connector *connector_find(const char *name)
{
	for (size_t i = 0; all[i]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

const char *hook_param(const struct hook_request *req, const char *name)
{
	return dp_env_get(req->envp, name);
}
