/*
 * Native side of "boot-control" (boot-control.js) on ESP32: which image runs
 * and whether it is on trial, through ESP-IDF's esp_ota_ops (app rollback,
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE in hosts/esp32/sdkconfig). The
 * Moddable SDK's embedded:update writes the slot and switches the boot
 * partition; it has no call to confirm or abandon the new image.
 */

#include "xsmc.h"
#include "xsHost.h"

#include "esp_idf_version.h"
#include "esp_ota_ops.h"
#include "esp_partition.h"

void xs_boot_control_state(xsMachine *the)
{
	const esp_partition_t *running = esp_ota_get_running_partition();
	esp_ota_img_states_t state;

	if (!running || (ESP_PARTITION_SUBTYPE_APP_FACTORY == running->subtype))
		xsmcSetString(xsResult, "factory");
	else if ((ESP_OK == esp_ota_get_state_partition(running, &state)) && (ESP_OTA_IMG_PENDING_VERIFY == state))
		xsmcSetString(xsResult, "pending");
	else
		xsmcSetString(xsResult, "valid");
}

void xs_boot_control_slot_size(xsMachine *the)
{
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
	xsmcSetInteger(xsResult, next ? (xsIntegerValue)next->size : 0);
}

void xs_boot_control_mark_valid(xsMachine *the)
{
	esp_err_t err = esp_ota_mark_app_valid_cancel_rollback();
	if (ESP_OK != err)
		xsUnknownError("cannot confirm the running image");
}

void xs_boot_control_retry(xsMachine *the)
{
#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(6, 0, 0)
	// Selecting the running image again rewrites its own otadata entry, state ESP_OTA_IMG_NEW: the
	// bootloader gives it another trial boot (PENDING_VERIFY) instead of aborting it at the next reset.
	// ESP-IDF 6.0 keeps ota_seq when the partition is the same; earlier versions write the other
	// otadata sector and lose the previous image's entry, so there is nothing to roll back to.
	esp_err_t err = esp_ota_set_boot_partition(esp_ota_get_running_partition());
	if (ESP_OK != err)
		xsUnknownError("cannot give the running image another trial boot");
#else
	xsUnknownError("more than one trial boot needs ESP-IDF 6.0 or later");
#endif
}

void xs_boot_control_rollback(xsMachine *the)
{
	// Marks the running image invalid and restarts into the previous one; returns only when there is none.
	esp_ota_mark_app_invalid_rollback_and_reboot();
	xsUnknownError("no previous image to roll back to");
}
