Feature: Audio-only calls and escalating to video
  Guide, "Making an audio-only call": "You will be connected to the VMR and the participants in
  the VMR will only receive your audio. Depending upon how your administrator has configured your
  system, you will either receive video and audio from the VMR (assuming it has video
  participants), or just receive audio and an avatar image of the conference. In either case, you
  can escalate your call from audio-only to video in the normal way by starting your video, if
  required."
  DESIGN §2 "Calls, media and content": the per-VMR audio_only_view, room (default) or avatar;
  escalation up to the VMR's call type.

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Dave uses a SIP room system

  Scenario: An audio-only caller is heard but not seen
    Given Dave dials meet.bob@example.com
    When Alice makes an audio-only call to meet.bob@example.com
    Then Alice is in "Bob's room"
    And Alice sends no video

  Scenario: By default an audio-only caller receives the room's video
    Given Dave dials meet.bob@example.com
    When Alice makes an audio-only call to meet.bob@example.com
    Then Alice receives video
    And Alice sees Dave

  Scenario: With the avatar view, an audio-only caller sees the room's picture instead
    Given the administrator sets the audio-only view of "Bob's room" to avatar
    And Dave dials meet.bob@example.com
    When Alice makes an audio-only call to meet.bob@example.com
    Then Alice receives no video
    And Alice sees the contact picture of meet.bob@example.com
    And Alice sees the default picture on her screen

  Scenario: With the avatar view, the room's own picture is what the caller sees
    Given the administrator gives "Bob's room" its own picture
    And the administrator sets the audio-only view of "Bob's room" to avatar
    When Alice makes an audio-only call to meet.bob@example.com
    Then Alice sees the contact picture of meet.bob@example.com
    And Alice sees the room's own picture on her screen

  Scenario Outline: Starting video escalates the call, whatever the audio-only view
    Given the administrator sets the audio-only view of "Bob's room" to <view>
    And Dave dials meet.bob@example.com
    And Alice makes an audio-only call to meet.bob@example.com
    When Alice starts her video
    Then Alice sends video
    And Alice receives video
    And Alice sees Dave
    And Dave sees Alice

    Examples:
      | view   |
      | avatar |
      | room   |

  Scenario Outline: Other audio-only callers get the same choice
    Given Frank uses a SIP video app
    And the administrator sets the audio-only view of "Bob's room" to <view>
    And Dave dials meet.bob@example.com
    When Frank makes an audio-only call to meet.bob@example.com
    Then Frank <receives>

    Examples:
      | view   | receives         |
      | room   | receives video    |
      | avatar | receives no video |

  Scenario: A room limited to audio refuses video
    Given the administrator limits "Bob's room" to audio calls
    And Alice makes an audio-only call to meet.bob@example.com
    When Alice starts her video
    Then Alice sends no video
    And Alice is in "Bob's room"

  Scenario: An audio-only caller in a PIN-protected room hears the prompts
    Given the administrator sets the audio-only view of "Alice's meeting room" to avatar
    When Alice makes an audio-only call to meet.alice@example.com
    Then Alice hears the PIN prompt
    When Alice enters 1234# on the dial pad
    Then Alice is in "Alice's meeting room"
