"""The seed demo's dashboard side: a paho-mqtt (Python) subscriber.

usage: paho_subscriber.py HOST PORT FILTER COUNT

Subscribes to FILTER at QoS 1 and prints each message as one JSON line
({"topic", "payload", "qos", "retain"}) until COUNT messages have arrived.
Python because the point is that paho-mqtt, unchanged, reads the readings;
works with paho-mqtt 1.6 (Debian's python3-paho-mqtt) and 2.x.
"""

import json
import sys

import paho.mqtt.client as mqtt

host, port, topic_filter, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
received = 0

if hasattr(mqtt, "CallbackAPIVersion"):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1)
else:
    client = mqtt.Client()


def on_connect(client, userdata, flags, rc):
    if rc != 0:
        sys.exit(f"paho: connection refused ({rc})")
    client.subscribe(topic_filter, qos=1)


def on_subscribe(client, userdata, mid, granted_qos):
    print(json.dumps({"subscribed": list(granted_qos)}), flush=True)


def on_message(client, userdata, message):
    global received
    print(json.dumps({
        "topic": message.topic,
        "payload": message.payload.decode("utf-8"),
        "qos": message.qos,
        "retain": bool(message.retain),
    }), flush=True)
    received += 1
    if received >= count:
        client.disconnect()


client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect(host, port, keepalive=30)
client.loop_forever()
